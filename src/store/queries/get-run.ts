import type { Kysely } from "kysely";
import type { RunRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toRunRecord } from "../rows/run-rows.js";

export async function getRun(db: Kysely<Database>, dagId: string, runId: string): Promise<RunRecord | undefined> {
  const row = await db.selectFrom("dag_runs").selectAll().where("dag_id", "=", dagId).where("run_id", "=", runId).executeTakeFirst();
  return row && toRunRecord(row);
}
