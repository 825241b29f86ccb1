import type { Kysely } from "kysely";
import type { DagRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toDagRecord } from "../rows/dag-rows.js";

export async function getDag(db: Kysely<Database>, dagId: string): Promise<DagRecord | undefined> {
  const row = await db.selectFrom("dags").selectAll().where("dag_id", "=", dagId).executeTakeFirst();
  return row && toDagRecord(row);
}
