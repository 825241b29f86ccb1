import { BatonError, FailTask, SkipTask } from "../../core/errors.js";
import type { DagRunSummary, TaskInstanceSummary } from "../../core/ports/dag-runs-gateway.js";
import type { SensorCheck } from "../sensors/sensor-check.js";

/** The value of an `externalTaskSensor` task: the run it watched and, for tasks, their states. */
export interface ExternalTaskState {
  dagId: string;
  runId: string;
  /** ISO 8601. */
  logicalDate: string;
  runState: DagRunSummary["state"];
  /** The watched task instances (empty when watching the whole run). */
  tasks: TaskInstanceSummary[];
}

/** The plain-JSON arguments of one external-task check, rendered on the worker. */
export interface ExternalTaskArgs {
  where: string;
  dagId: string;
  /** Logical date (epoch ms) of the other DAG's run to watch. */
  at: number;
  /** Null: the whole run. */
  taskIds: string[] | null;
  allowedStates: string[];
  failedStates: string[];
  skippedStates: string[];
  softFail: boolean;
  checkExistence: boolean;
}

/**
 * One look at another DAG's run with the given logical date (the newest if several): done when it
 * (or all the watched tasks) reached allowedStates; FailTask/SkipTask/a retryable error for
 * failedStates and skippedStates. Runs on a worker or in the scheduler's triggerer (deferred).
 */
export const externalTaskCheck: SensorCheck<ExternalTaskState> = async (raw, env) => {
  const a = raw as unknown as ExternalTaskArgs;
  const gateway = env.dagRuns;
  if (gateway === null) throw new BatonError(`${a.where}: runs of other DAGs are not available here: started without a DAG runs gateway`);
  if (a.checkExistence) {
    const dag = await gateway.describeDag(a.dagId);
    if (dag === null) throw new FailTask(`${a.where}: DAG ${a.dagId} does not exist (checkExistence)`);
    const missing = (a.taskIds ?? []).filter((t) => !dag.taskIds.includes(t));
    if (missing.length > 0) throw new FailTask(`${a.where}: DAG ${a.dagId} has no task ${missing.join(", ")}; its tasks: ${dag.taskIds.join(", ")}`);
  }
  const run = (await gateway.findRuns(a.dagId, a.at))[0];
  const iso = new Date(a.at).toISOString();
  if (run === undefined) return { done: false, reason: `no run of DAG ${a.dagId} with logical date ${iso} yet` };
  const end = (state: string, what: string): void => {
    if (a.failedStates.includes(state)) {
      const message = `${what} of DAG ${a.dagId} is ${state} (failedStates)`;
      throw a.softFail ? new SkipTask(message) : new BatonError(message);
    }
  };
  if (a.taskIds === null) {
    end(run.state, `run ${run.runId}`);
    if (a.skippedStates.includes(run.state)) throw new SkipTask(`run ${run.runId} of DAG ${a.dagId} is ${run.state} (skippedStates)`);
    if (a.allowedStates.includes(run.state)) return { done: true, value: valueOf(run, iso, []) };
    return { done: false, reason: `run ${run.runId} of DAG ${a.dagId} is ${run.state}` };
  }
  const tis = await gateway.taskStates(a.dagId, run.runId, a.taskIds);
  const absent = a.taskIds.filter((t) => !tis.some((ti) => ti.taskId === t));
  if (absent.length > 0) return { done: false, reason: `run ${run.runId} of DAG ${a.dagId} has no task ${absent.join(", ")}` };
  for (const ti of tis) end(ti.state, `task ${label(ti)} of run ${run.runId}`);
  if (tis.every((ti) => a.skippedStates.includes(ti.state))) {
    throw new SkipTask(`task(s) ${tis.map(label).join(", ")} of run ${run.runId} of DAG ${a.dagId} are skipped (skippedStates)`);
  }
  if (tis.every((ti) => a.allowedStates.includes(ti.state))) return { done: true, value: valueOf(run, iso, tis) };
  const pending = tis.filter((ti) => !a.allowedStates.includes(ti.state));
  return { done: false, reason: `${pending.map((ti) => `${label(ti)} is ${ti.state}`).join(", ")} in run ${run.runId} of DAG ${a.dagId}` };
};

function label(ti: TaskInstanceSummary): string {
  return ti.mapIndex < 0 ? ti.taskId : `${ti.taskId}[${ti.mapIndex}]`;
}

function valueOf(run: DagRunSummary, logicalDate: string, tasks: TaskInstanceSummary[]): ExternalTaskState {
  return { dagId: run.dagId, runId: run.runId, logicalDate, runState: run.state, tasks };
}
