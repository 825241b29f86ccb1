import type { Kysely } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";

/** Records a use of the token; an unknown id is a no-op. */
export async function touchToken(db: Kysely<Database>, id: string, at: EpochMs): Promise<void> {
  await db.updateTable("api_tokens").set({ last_used_at: at }).where("id", "=", id).execute();
}
