import type { RunType } from "../model/states.js";

/**
 * The run types depends_on_past looks back at (Airflow's `PrevDagrunDep`): with catchup, the
 * previous run that is not manual (`get_previous_scheduled_dagrun`); without catchup, the previous
 * run of any type (`get_previous_dagrun`), so a manual run counts. `undefined` = every type.
 */
export function previousRunTypes(catchup: boolean): RunType[] | undefined {
  return catchup ? ["scheduled", "backfill", "dataset", "event"] : undefined;
}
