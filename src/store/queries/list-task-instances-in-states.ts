import type { Kysely } from "kysely";
import type { TaskInstanceRecord } from "../../core/model/records.js";
import type { TaskState } from "../../core/model/states.js";
import type { Database } from "../schema/database.js";
import { toTaskInstanceRecord } from "../rows/task-instance-rows.js";

/** Task instances in any of `states`, by (run_pk, task_id, map_index); an empty list matches nothing. */
export async function listTaskInstancesInStates(db: Kysely<Database>, states: readonly TaskState[]): Promise<TaskInstanceRecord[]> {
  if (states.length === 0) return [];
  const rows = await db
    .selectFrom("task_instances")
    .selectAll()
    .where("state", "in", states)
    .orderBy("run_pk")
    .orderBy("task_id")
    .orderBy("map_index")
    .execute();
  return rows.map(toTaskInstanceRecord);
}
