import type { Kysely } from "kysely";
import type { UserRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toUserRow } from "../rows/auth-rows.js";

/** Returns false, writing nothing, when the username is taken (also under a concurrent insert). */
export async function createUser(db: Kysely<Database>, user: UserRecord): Promise<boolean> {
  const row = await db
    .insertInto("users")
    .values(toUserRow(user))
    .onConflict((oc) => oc.column("username").doNothing())
    .returning("username")
    .executeTakeFirst();
  return row !== undefined;
}
