import type { Kysely } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";

/** Deletes sessions with `expiresAt <= now` (a session is valid while now < expiresAt). */
export async function deleteExpiredSessions(db: Kysely<Database>, now: EpochMs): Promise<void> {
  await db.deleteFrom("sessions").where("expires_at", "<=", now).execute();
}
