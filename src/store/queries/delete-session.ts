import type { Kysely } from "kysely";
import type { Database } from "../schema/database.js";

/** Logout; an unknown session is a no-op. */
export async function deleteSession(db: Kysely<Database>, idHash: string): Promise<void> {
  await db.deleteFrom("sessions").where("id_hash", "=", idHash).execute();
}
