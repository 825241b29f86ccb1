import { join } from "node:path";
import type { RunRecord, TaskInstanceRecord } from "../core/model/records.js";
import type { AttemptRequest } from "../core/ports/executor.js";
import type { ActiveRun } from "./active-run.js";

/** `<logs>/dag_id=<d>/run_id=<r>/task_id=<t>/attempt=<n>.log` (Airflow's layout). */
export function attemptLogPath(logsDir: string, run: Pick<RunRecord, "dagId" | "runId">, taskId: string, tryNumber: number): string {
  return join(logsDir, `dag_id=${run.dagId}`, `run_id=${run.runId}`, `task_id=${taskId}`, `attempt=${tryNumber}.log`);
}

/** Upstream return values by input name; a task that returned nothing gives `undefined`. */
function inputsOf(run: ActiveRun, taskId: string): Record<string, unknown> {
  const task = run.graph.tasks.get(taskId);
  const inputs: Record<string, unknown> = {};
  for (const [name, upstreamId] of Object.entries(task?.inputs ?? {})) {
    const output = run.tis.get(upstreamId)?.output ?? null;
    inputs[name] = output === null ? undefined : JSON.parse(output);
  }
  return inputs;
}

export function buildAttemptRequest(run: ActiveRun, ti: TaskInstanceRecord, logsDir: string, maxOutputBytes: number): AttemptRequest {
  const r = run.run;
  const task = run.graph.tasks.get(ti.taskId);
  if (!task) throw new Error(`task ${ti.taskId} is not in DAG version ${run.version.versionHash}`);
  return {
    attemptId: `${r.id}/${ti.taskId}/${ti.mapIndex}/${ti.tryNumber}`,
    runPk: r.id,
    taskId: ti.taskId,
    mapIndex: ti.mapIndex,
    tryNumber: ti.tryNumber,
    maxTries: ti.maxTries,
    bundlePath: run.version.bundlePath,
    task,
    context: {
      dagId: r.dagId,
      runId: r.runId,
      runType: r.runType,
      logicalDate: r.logicalDate,
      dataIntervalStart: r.dataIntervalStart,
      dataIntervalEnd: r.dataIntervalEnd,
      timezone: run.version.spec.timezone,
      params: run.params,
      conf: r.conf,
    },
    inputs: inputsOf(run, ti.taskId),
    logPath: attemptLogPath(logsDir, r, ti.taskId, ti.tryNumber),
    maxOutputBytes,
  };
}
