import type { Kysely } from "kysely";
import type { SessionRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toSessionRow } from "../rows/auth-rows.js";
import { rethrowUnknownUser } from "./rethrow-unknown-user.js";

/** Throws NotFoundError when the session's user does not exist. */
export async function createSession(db: Kysely<Database>, session: SessionRecord): Promise<void> {
  try {
    await db.insertInto("sessions").values(toSessionRow(session)).execute();
  } catch (e) {
    await rethrowUnknownUser(db, session.username, e);
  }
}
