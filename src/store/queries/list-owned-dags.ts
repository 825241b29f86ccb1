import type { Kysely } from "kysely";
import type { Database } from "../schema/database.js";

export async function listOwnedDags(db: Kysely<Database>, schedulerId: string): Promise<string[]> {
  const rows = await db.selectFrom("dags").select("dag_id").where("owner_id", "=", schedulerId).orderBy("dag_id").execute();
  return rows.map((r) => r.dag_id);
}
