import type { Kysely } from "kysely";
import type { Database } from "../schema/database.js";

/** Returns false when there was no such token. */
export async function deleteToken(db: Kysely<Database>, id: string): Promise<boolean> {
  const result = await db.deleteFrom("api_tokens").where("id", "=", id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
