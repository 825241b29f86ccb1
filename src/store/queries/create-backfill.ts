import type { Kysely } from "kysely";
import type { BackfillRecord } from "../../core/model/records.js";
import type { NewBackfill } from "../../core/ports/store.js";
import type { Database } from "../schema/database.js";
import { toBackfillRecord } from "../rows/backfill-rows.js";

/** Inserts a backfill in state "queued", unpaused. */
export async function createBackfill(db: Kysely<Database>, backfill: NewBackfill, createdAt: number): Promise<BackfillRecord> {
  const row = await db
    .insertInto("backfills")
    .values({
      dag_id: backfill.dagId,
      from_date: backfill.fromDate,
      to_date: backfill.toDate,
      reprocess: backfill.reprocess,
      max_active_runs: backfill.maxActiveRuns,
      conf: JSON.stringify(backfill.conf),
      state: "queued",
      paused: 0,
      created_at: createdAt,
      ended_at: null,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toBackfillRecord(row);
}
