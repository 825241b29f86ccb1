import type { Kysely } from "kysely";
import type { Database } from "../schema/database.js";

/** Returns false when there was no such connection. */
export async function deleteConnection(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom("connections").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
