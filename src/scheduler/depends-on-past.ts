import type { TaskState } from "../core/model/states.js";
import { previousRunTypes } from "../core/scheduling/previous-run.js";
import type { Store } from "../core/ports/store.js";
import type { ActiveRun } from "./active-run.js";

/**
 * depends_on_past: may `taskId` of `run` start? Yes when the run has no logical date, there is no
 * earlier run (with catchup: no earlier run that is not manual; without: no earlier run of any
 * type, as in Airflow), or the task succeeded or was skipped in the one just before, or that run
 * has no such task (read in memory when the scheduler holds that run, else from the store). With
 * waitForDownstream, the task's direct downstreams in that run must also have succeeded or been skipped.
 */
export async function pastAllows(store: Store, run: ActiveRun, taskId: string, held: (runPk: number) => ActiveRun | undefined): Promise<boolean> {
  const logicalDate = run.run.logicalDate;
  if (logicalDate === null) return true;
  const prev = await store.getPreviousRun(run.dagId, logicalDate, { runTypes: previousRunTypes(run.version.spec.catchup) });
  if (!prev) return true;
  const live = held(prev.id);
  const rows = live ? undefined : await store.listTaskInstances(prev.id);
  const stateOf = (id: string): TaskState | undefined => (live ? live.tis.get(id)?.state : rows!.find((t) => t.taskId === id && t.mapIndex < 0)?.state);
  const state = stateOf(taskId);
  if (state === undefined) return true;
  if (!done(state)) return false;
  // wait_for_downstream: the task's direct downstreams (as the DAG is now) in that run too; one the
  // previous run lacks counts as not done, as in Airflow's are_dependents_done.
  if (!run.graph.tasks.get(taskId)?.waitForDownstream) return true;
  return (run.graph.downstream.get(taskId) ?? []).every((id) => done(stateOf(id)));
}

function done(state: TaskState | undefined): boolean {
  return state === "success" || state === "skipped";
}
