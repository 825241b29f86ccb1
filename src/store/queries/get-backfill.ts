import type { Kysely } from "kysely";
import type { BackfillRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toBackfillRecord } from "../rows/backfill-rows.js";

export async function getBackfill(db: Kysely<Database>, id: number): Promise<BackfillRecord | undefined> {
  const row = await db.selectFrom("backfills").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toBackfillRecord(row);
}
