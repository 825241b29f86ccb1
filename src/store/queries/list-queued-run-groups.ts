import type { Kysely } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import type { QueuedRunGroup } from "../../core/ports/store.js";
import type { Database } from "../schema/database.js";

/**
 * The groups (a DAG's own runs, or one backfill's) that have queued runs due by `dueBy`, one row
 * each, ordered by DAG then backfill (a DAG's own runs first). As many rows as groups, never one per run.
 */
export async function listQueuedRunGroups(db: Kysely<Database>, dueBy: EpochMs): Promise<QueuedRunGroup[]> {
  const rows = await db
    .selectFrom("dag_runs")
    .select(["dag_id", "backfill_id"])
    .where("state", "=", "queued")
    .where("run_after", "<=", dueBy)
    .groupBy(["dag_id", "backfill_id"])
    .execute();
  return rows
    .map((r) => ({ dagId: r.dag_id, backfillId: r.backfill_id === null ? null : Number(r.backfill_id) }))
    .sort((a, b) => (a.dagId < b.dagId ? -1 : a.dagId > b.dagId ? 1 : (a.backfillId ?? -1) - (b.backfillId ?? -1)));
}
