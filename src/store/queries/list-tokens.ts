import type { Kysely } from "kysely";
import type { ApiTokenRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toApiTokenRecord } from "../rows/auth-rows.js";

/** One user's tokens, or everyone's; oldest first (ties by id). */
export async function listTokens(db: Kysely<Database>, username?: string): Promise<ApiTokenRecord[]> {
  let query = db.selectFrom("api_tokens").selectAll();
  if (username !== undefined) query = query.where("username", "=", username);
  const rows = await query.orderBy("created_at").orderBy("id").execute();
  return rows.map(toApiTokenRecord);
}
