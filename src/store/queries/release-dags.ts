import type { Kysely } from "kysely";
import type { Database } from "../schema/database.js";

/** Hands DAGs back (owner := null); DAGs another scheduler owns are left alone. */
export async function releaseDags(db: Kysely<Database>, schedulerId: string, dagIds: string[]): Promise<void> {
  if (dagIds.length === 0) return;
  await db.updateTable("dags").set({ owner_id: null }).where("owner_id", "=", schedulerId).where("dag_id", "in", dagIds).execute();
}
