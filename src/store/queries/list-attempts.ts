import type { Kysely } from "kysely";
import type { AttemptRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toAttemptRecord } from "../rows/attempt-rows.js";

/** A run's attempts (optionally of one task), by (task_id, map_index, try_number). */
export async function listAttempts(db: Kysely<Database>, runPk: number, taskId?: string): Promise<AttemptRecord[]> {
  let query = db.selectFrom("task_attempts").selectAll().where("run_pk", "=", runPk);
  if (taskId !== undefined) query = query.where("task_id", "=", taskId);
  const rows = await query.orderBy("task_id").orderBy("map_index").orderBy("try_number").execute();
  return rows.map(toAttemptRecord);
}
