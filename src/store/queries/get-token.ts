import type { Kysely } from "kysely";
import type { ApiTokenRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toApiTokenRecord } from "../rows/auth-rows.js";

/** Also returns an expired token: the caller compares `expiresAt` with its clock. */
export async function getToken(db: Kysely<Database>, id: string): Promise<ApiTokenRecord | undefined> {
  const row = await db.selectFrom("api_tokens").selectAll().where("id", "=", id).executeTakeFirst();
  return row === undefined ? undefined : toApiTokenRecord(row);
}
