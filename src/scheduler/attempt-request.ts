import { join } from "node:path";
import type { RunRecord, TaskInstanceRecord } from "../core/model/records.js";
import type { AttemptContext, AttemptRequest } from "../core/ports/executor.js";
import type { ActiveRun } from "./active-run.js";
import { copyArguments } from "./mapped-tasks.js";
import type { TaskOutputs } from "./task-outputs.js";

/**
 * `<logs>/dag_id=<d>/run_id=<r>/task_id=<t>/attempt=<n>.log` (Airflow's layout), with a
 * `map_index=<i>/` folder before the attempt for a copy of a mapped task.
 */
export function attemptLogPath(logsDir: string, run: Pick<RunRecord, "dagId" | "runId">, taskId: string, tryNumber: number, mapIndex = -1): string {
  const copy = mapIndex >= 0 ? [`map_index=${mapIndex}`] : [];
  return join(logsDir, `dag_id=${run.dagId}`, `run_id=${run.runId}`, `task_id=${taskId}`, ...copy, `attempt=${tryNumber}.log`);
}

/**
 * Upstream return values by input name; a task that returned nothing gives `undefined`. A copy of
 * a mapped task also gets its element of each mapped list and the constant `partial` arguments.
 */
function inputsOf(run: ActiveRun, taskId: string, mapIndex: number, outputs: TaskOutputs): Record<string, unknown> {
  const task = run.graph.tasks.get(taskId);
  const inputs: Record<string, unknown> = mapIndex >= 0 ? copyArguments(run, taskId, mapIndex, outputs) : {};
  // A sensitive upstream value is opened here: downstream tasks receive the real value.
  for (const [name, upstreamId] of Object.entries(task?.inputs ?? {})) {
    const value = outputs.value(run, upstreamId);
    const path = task?.inputKeys?.[name];
    inputs[name] = path === undefined ? value : valueAt(value, path);
  }
  return inputs;
}

/** `value[path[0]][path[1]]…`; undefined where a step is not an object or lacks the key (Airflow gives None). */
function valueAt(value: unknown, path: readonly string[]): unknown {
  let v = value;
  for (const key of path) {
    if (typeof v !== "object" || v === null || Array.isArray(v) || !Object.hasOwn(v, key)) return undefined;
    v = (v as Record<string, unknown>)[key];
  }
  return v;
}

/**
 * The context of a run's attempts, one object while the run's record and its previous successful
 * run are unchanged: the executor sends it to a worker process once and names it in the attempts
 * after (pooled-child.ts).
 */
const contexts = new WeakMap<RunRecord, AttemptContext>();

function contextOf(run: ActiveRun): AttemptContext {
  const r = run.run;
  let context = contexts.get(r);
  if (context === undefined || context.prevSuccess !== run.prevSuccess) {
    context = {
      dagId: r.dagId,
      runId: r.runId,
      runType: r.runType,
      logicalDate: r.logicalDate,
      dataIntervalStart: r.dataIntervalStart,
      dataIntervalEnd: r.dataIntervalEnd,
      timezone: run.version.spec.timezone,
      params: run.params,
      conf: r.conf,
      prevSuccess: run.prevSuccess,
    };
    contexts.set(r, context);
  }
  return context;
}

export function buildAttemptRequest(run: ActiveRun, ti: TaskInstanceRecord, logsDir: string, maxOutputBytes: number, outputs: TaskOutputs): AttemptRequest {
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
    context: contextOf(run),
    inputs: inputsOf(run, ti.taskId, ti.mapIndex, outputs),
    logPath: attemptLogPath(logsDir, r, ti.taskId, ti.tryNumber, ti.mapIndex),
    maxOutputBytes,
    sensor: ti.sensorWait ?? null,
  };
}
