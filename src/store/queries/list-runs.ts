import type { Kysely } from "kysely";
import type { RunRecord } from "../../core/model/records.js";
import type { RunFilter } from "../../core/ports/store.js";
import type { Database } from "../schema/database.js";
import { toRunRecord } from "../rows/run-rows.js";

export const DEFAULT_RUN_LIMIT = 100;

/**
 * Runs matching every given filter, newest first by id; page with `beforeId` = the last id seen.
 * An empty `states` or `runIds` list matches nothing (as SQL's `IN ()` would).
 */
export async function listRuns(db: Kysely<Database>, filter: RunFilter): Promise<RunRecord[]> {
  if (filter.states?.length === 0 || filter.runIds?.length === 0) return [];
  let query = db.selectFrom("dag_runs").selectAll();
  if (filter.dagId !== undefined) query = query.where("dag_id", "=", filter.dagId);
  if (filter.states !== undefined) query = query.where("state", "in", filter.states);
  if (filter.runIds !== undefined) query = query.where("run_id", "in", filter.runIds);
  if (filter.backfillId !== undefined) query = query.where("backfill_id", "=", filter.backfillId);
  if (filter.logicalDateFrom !== undefined) query = query.where("logical_date", ">=", filter.logicalDateFrom);
  if (filter.logicalDateTo !== undefined) query = query.where("logical_date", "<=", filter.logicalDateTo);
  if (filter.beforeId !== undefined) query = query.where("id", "<", filter.beforeId);
  const rows = await query
    .orderBy("id", "desc")
    .limit(filter.limit ?? DEFAULT_RUN_LIMIT)
    .execute();
  return rows.map(toRunRecord);
}
