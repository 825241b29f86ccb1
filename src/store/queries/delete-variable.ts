import type { Kysely } from "kysely";
import type { Database } from "../schema/database.js";

/** Returns false when there was no such variable. */
export async function deleteVariable(db: Kysely<Database>, key: string): Promise<boolean> {
  const result = await db.deleteFrom("variables").where("key", "=", key).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
