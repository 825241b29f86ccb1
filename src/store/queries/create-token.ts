import type { Kysely } from "kysely";
import type { ApiTokenRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toApiTokenRow } from "../rows/auth-rows.js";
import { rethrowUnknownUser } from "./rethrow-unknown-user.js";

/** Throws NotFoundError when the token's user does not exist; a duplicate id fails (ids are random). */
export async function createToken(db: Kysely<Database>, token: ApiTokenRecord): Promise<void> {
  try {
    await db.insertInto("api_tokens").values(toApiTokenRow(token)).execute();
  } catch (e) {
    await rethrowUnknownUser(db, token.username, e);
  }
}
