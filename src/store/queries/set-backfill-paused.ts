import type { Kysely } from "kysely";
import type { BackfillRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { fromBool } from "../rows/json-column.js";
import { getBackfill } from "./get-backfill.js";

/**
 * Sets `paused` on a backfill that has not ended (queued or running) — in the same statement that
 * checks it, so a backfill the scheduler ends meanwhile stays as it ended — and reads it back.
 */
export async function setBackfillPaused(db: Kysely<Database>, id: number, paused: boolean): Promise<BackfillRecord | undefined> {
  await db
    .updateTable("backfills")
    .set({ paused: fromBool(paused) })
    .where("id", "=", id)
    .where("state", "in", ["queued", "running"])
    .execute();
  return getBackfill(db, id);
}
