import type { Kysely } from "kysely";
import type { TaskInstanceRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toTaskInstanceRecord } from "../rows/task-instance-rows.js";

/** A run's task instances by (task_id, map_index). */
export async function listTaskInstances(db: Kysely<Database>, runPk: number): Promise<TaskInstanceRecord[]> {
  const rows = await db.selectFrom("task_instances").selectAll().where("run_pk", "=", runPk).orderBy("task_id").orderBy("map_index").execute();
  return rows.map(toTaskInstanceRecord);
}
