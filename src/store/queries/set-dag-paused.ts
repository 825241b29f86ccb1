import type { Kysely } from "kysely";
import type { Database } from "../schema/database.js";
import { fromBool } from "../rows/json-column.js";

/** Returns false when the DAG is unknown. Leaves `updated_at` (the last load) alone. */
export async function setDagPaused(db: Kysely<Database>, dagId: string, paused: boolean): Promise<boolean> {
  const result = await db
    .updateTable("dags")
    .set({ paused: fromBool(paused) })
    .where("dag_id", "=", dagId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
