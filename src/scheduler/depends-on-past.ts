import type { TaskState } from "../core/model/states.js";
import { previousRunTypes } from "../core/scheduling/previous-run.js";
import type { Store } from "../core/ports/store.js";
import type { ActiveRun } from "./active-run.js";

/**
 * depends_on_past: may `taskId` of `run` start? Yes when the run has no logical date, there is no
 * earlier run (with catchup: no earlier run that is not manual; without: no earlier run of any
 * type, as in Airflow), or the task succeeded or was skipped in the one just before, or that run
 * has no such task (read in memory when the scheduler holds that run, else from the store).
 */
export async function pastAllows(store: Store, run: ActiveRun, taskId: string, held: (runPk: number) => ActiveRun | undefined): Promise<boolean> {
  const logicalDate = run.run.logicalDate;
  if (logicalDate === null) return true;
  const prev = await store.getPreviousRun(run.dagId, logicalDate, previousRunTypes(run.version.spec.catchup));
  if (!prev) return true;
  const live = held(prev.id);
  const state: TaskState | undefined = live
    ? live.tis.get(taskId)?.state
    : (await store.listTaskInstances(prev.id)).find((t) => t.taskId === taskId && t.mapIndex < 0)?.state;
  return state === undefined || state === "success" || state === "skipped";
}
