import type { Kysely } from "kysely";
import type { UserRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toUserRecord } from "../rows/auth-rows.js";

export async function getUser(db: Kysely<Database>, username: string): Promise<UserRecord | undefined> {
  const row = await db.selectFrom("users").selectAll().where("username", "=", username).executeTakeFirst();
  return row === undefined ? undefined : toUserRecord(row);
}
