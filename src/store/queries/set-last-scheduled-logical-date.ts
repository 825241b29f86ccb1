import type { Kysely } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";

/** Catch-up bookkeeping: the logical date of the latest scheduled run created for a DAG. */
export async function setLastScheduledLogicalDate(db: Kysely<Database>, dagId: string, logicalDate: EpochMs): Promise<void> {
  await db.updateTable("dags").set({ last_scheduled_logical_date: logicalDate }).where("dag_id", "=", dagId).execute();
}
