import type { Kysely } from "kysely";
import type { MissedDeadline, MissedDeadlineRecord } from "../../core/model/deadlines.js";
import { toMissedDeadlineRecord, toMissedDeadlineRow } from "../rows/missed-deadline-rows.js";
import type { Database } from "../schema/database.js";

/**
 * Inserts a miss unless its key (run, deadline, task, map index, try) is stored already: the
 * one statement several schedulers may race on; exactly one of them gets the row back.
 */
export async function recordMissedDeadline(db: Kysely<Database>, miss: MissedDeadline): Promise<MissedDeadlineRecord | undefined> {
  const row = await db
    .insertInto("missed_deadlines")
    .values(toMissedDeadlineRow(miss))
    .onConflict((oc) => oc.columns(["run_pk", "deadline_index", "task_id", "map_index", "try_number"]).doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ? toMissedDeadlineRecord(row) : undefined;
}
