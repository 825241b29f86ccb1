import type { Kysely } from "kysely";
import type { UserRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toUserRecord } from "../rows/auth-rows.js";

/** Every user, disabled ones included, by username. */
export async function listUsers(db: Kysely<Database>): Promise<UserRecord[]> {
  const rows = await db.selectFrom("users").selectAll().orderBy("username").execute();
  return rows.map(toUserRecord);
}
