import type { AttemptRequest } from "../../core/ports/executor.js";
import { formatDs, formatTs } from "../../core/model/dates.js";
import type { TaskContext, TaskLogger } from "../../sdk/context.js";

/** The TaskContext of an attempt. `ds` and `ts` are computed on first use (Intl is slow). */
export function buildTaskContext(request: AttemptRequest, log: TaskLogger, signal: AbortSignal): TaskContext {
  const c = request.context;
  const logical = c.logicalDate;
  let ds: string | undefined;
  let ts: string | undefined;
  return {
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
    tryNumber: request.tryNumber,
    maxTries: request.maxTries,
    log,
    signal,
  };
}
