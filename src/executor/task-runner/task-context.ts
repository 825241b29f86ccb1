import { BatonError } from "../../core/errors.js";
import type { AttemptRequest, PrevSuccessRun } from "../../core/ports/executor.js";
import { formatDs, formatTs } from "../../core/model/dates.js";
import { DAG_RUNS_GATEWAY, type DagRunsGateway } from "../../core/ports/dag-runs-gateway.js";
import type { SecretsResolver } from "../../core/ports/secrets-resolver.js";
import { isSensitiveKey, secretValuesOf } from "../../core/secrets/sensitive-keys.js";
import type { PrevSuccess, TaskContext } from "../../sdk/context.js";
import type { AttemptLog } from "./attempt-log.js";
import { TaskMetrics } from "./task-metrics.js";
import { attemptContext, taskTrace } from "./task-trace.js";

/**
 * The TaskContext of an attempt. `ds` and `ts` are computed on first use (Intl is slow).
 * Secrets the task obtains are added to the attempt log's masking before the task sees them.
 * `dagRuns` (runs of other DAGs, for the cross-DAG operators) rides along under a symbol key,
 * outside the public TaskContext.
 */
export function buildTaskContext(
  request: AttemptRequest,
  log: AttemptLog,
  signal: AbortSignal,
  secrets: SecretsResolver | null,
  dagRuns: DagRunsGateway | null = null,
  metrics: TaskMetrics = new TaskMetrics(),
): TaskContext {
  const resolver = (): SecretsResolver => {
    if (secrets === null) {
      throw new BatonError("connections and variables are not available here: the executor was started without a secrets resolver");
    }
    return secrets;
  };
  const c = request.context;
  const logical = c.logicalDate;
  let ds: string | undefined;
  let ts: string | undefined;
  const ctx: TaskContext = {
    dagId: c.dagId,
    runId: c.runId,
    taskId: request.taskId,
    runType: c.runType,
    logicalDate: logical === null ? null : new Date(logical),
    dataInterval: {
      start: c.dataIntervalStart === null ? null : new Date(c.dataIntervalStart),
      end: c.dataIntervalEnd === null ? null : new Date(c.dataIntervalEnd),
    },
    get ds() {
      return logical === null ? null : (ds ??= formatDs(logical, c.timezone));
    },
    get ts() {
      return logical === null ? null : (ts ??= formatTs(logical));
    },
    params: c.params,
    conf: c.conf,
    prevSuccess: prevSuccessOf(c.prevSuccess ?? null),
    mapIndex: request.mapIndex,
    tryNumber: request.tryNumber,
    maxTries: request.maxTries,
    log: log.taskLogger(),
    signal,
    async connection(id: string) {
      const connection = await resolver().connection(id);
      log.addSecrets(secretValuesOf(connection));
      return connection;
    },
    async variable(key: string) {
      const value = await resolver().variable(key);
      if (isSensitiveKey(key)) log.addSecrets([value]);
      return value;
    },
    trace: taskTrace(attemptContext(request.traceparent)),
    metric(name: string, value: number) {
      metrics.set(name, value);
    },
  };
  if (dagRuns !== null) Object.defineProperty(ctx, DAG_RUNS_GATEWAY, { value: dagRuns });
  return ctx;
}

const dateOf = (ms: number | null): Date | null => (ms === null ? null : new Date(ms));

function prevSuccessOf(p: PrevSuccessRun | null): PrevSuccess | null {
  if (p === null) return null;
  return {
    runId: p.runId,
    logicalDate: dateOf(p.logicalDate),
    dataInterval: { start: dateOf(p.dataIntervalStart), end: dateOf(p.dataIntervalEnd) },
    startedAt: dateOf(p.startedAt),
    endedAt: dateOf(p.endedAt),
  };
}
