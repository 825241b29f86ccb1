import type { Kysely } from "kysely";
import type { Database } from "../schema/database.js";

/** Ends all of a user's login sessions except `keepIdHash` (the one changing the password). Returns how many ended. */
export async function deleteUserSessions(db: Kysely<Database>, username: string, keepIdHash?: string): Promise<number> {
  let query = db.deleteFrom("sessions").where("username", "=", username);
  if (keepIdHash !== undefined) query = query.where("id_hash", "!=", keepIdHash);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}
