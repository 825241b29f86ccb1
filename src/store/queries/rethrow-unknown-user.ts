import type { Kysely } from "kysely";
import { NotFoundError } from "../../core/errors.js";
import type { Database } from "../schema/database.js";

/**
 * After an insert into a table keyed to users failed: a NotFoundError naming the user when the
 * foreign key was the reason, else the original error. Asking the table instead of decoding
 * each driver's constraint codes keeps this dialect-free.
 */
export async function rethrowUnknownUser(db: Kysely<Database>, username: string, error: unknown): Promise<never> {
  const user = await db.selectFrom("users").select("username").where("username", "=", username).executeTakeFirst();
  if (user === undefined) throw new NotFoundError(`User "${username}" does not exist`, { cause: error });
  throw error;
}
