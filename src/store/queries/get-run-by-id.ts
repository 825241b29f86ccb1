import type { Kysely } from "kysely";
import type { RunRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toRunRecord } from "../rows/run-rows.js";

export async function getRunById(db: Kysely<Database>, id: number): Promise<RunRecord | undefined> {
  const row = await db.selectFrom("dag_runs").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toRunRecord(row);
}
