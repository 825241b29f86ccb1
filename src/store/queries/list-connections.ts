import type { Kysely } from "kysely";
import type { StoredConnection } from "../../core/ports/secret-store.js";
import type { Database } from "../schema/database.js";
import { toStoredConnection } from "./get-connection.js";

export async function listConnections(db: Kysely<Database>): Promise<StoredConnection[]> {
  const rows = await db.selectFrom("connections").selectAll().orderBy("id").execute();
  return rows.map(toStoredConnection);
}
