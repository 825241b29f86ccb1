import type { Kysely } from "kysely";
import type { Database } from "../schema/database.js";

/** The user's API tokens and sessions go with it (ON DELETE CASCADE). False when there was no such user. */
export async function deleteUser(db: Kysely<Database>, username: string): Promise<boolean> {
  const result = await db.deleteFrom("users").where("username", "=", username).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
