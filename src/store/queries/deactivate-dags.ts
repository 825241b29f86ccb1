import type { Kysely } from "kysely";
import type { Database } from "../schema/database.js";

/** Marks inactive the DAGs last loaded from `fileloc` that the file no longer defines. */
export async function deactivateDags(db: Kysely<Database>, fileloc: string, keepDagIds: string[]): Promise<void> {
  let query = db.updateTable("dags").set({ active: 0 }).where("fileloc", "=", fileloc).where("active", "=", 1);
  if (keepDagIds.length > 0) query = query.where("dag_id", "not in", keepDagIds);
  await query.execute();
}
