import type { Kysely } from "kysely";
import type { SessionRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toSessionRecord } from "../rows/auth-rows.js";

/** Also returns an expired session until it is cleaned up: the caller compares `expiresAt` with its clock. */
export async function getSession(db: Kysely<Database>, idHash: string): Promise<SessionRecord | undefined> {
  const row = await db.selectFrom("sessions").selectAll().where("id_hash", "=", idHash).executeTakeFirst();
  return row === undefined ? undefined : toSessionRecord(row);
}
