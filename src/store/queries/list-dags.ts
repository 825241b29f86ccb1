import type { Kysely } from "kysely";
import type { DagRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toDagRecord } from "../rows/dag-rows.js";

/** All DAGs, active or not, by id. */
export async function listDags(db: Kysely<Database>): Promise<DagRecord[]> {
  const rows = await db.selectFrom("dags").selectAll().orderBy("dag_id").execute();
  return rows.map(toDagRecord);
}
