import { sql, type Kysely } from "kysely";
import type { RunRecord } from "../../core/model/records.js";
import type { QueuedRunsPage } from "../../core/ports/store.js";
import type { Database } from "../schema/database.js";
import { toRunRecord } from "../rows/run-rows.js";

/**
 * One page of a group's queued runs due by `dueBy`, in the order they start: oldest logical date
 * first (a run without one by its runAfter), then by id. `backfillId: null` is the DAG's own runs.
 */
export async function listDueQueuedRuns(db: Kysely<Database>, page: QueuedRunsPage): Promise<RunRecord[]> {
  if (page.limit <= 0) return [];
  let query = db.selectFrom("dag_runs").selectAll().where("state", "=", "queued").where("dag_id", "=", page.dagId).where("run_after", "<=", page.dueBy);
  query = page.backfillId === null ? query.where("backfill_id", "is", null) : query.where("backfill_id", "=", page.backfillId);
  const rows = await query
    .orderBy(sql`coalesce(logical_date, run_after)`)
    .orderBy("id")
    .limit(page.limit)
    .execute();
  return rows.map(toRunRecord);
}
