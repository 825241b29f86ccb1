import type { Kysely } from "kysely";
import type { BackfillRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toBackfillRecord } from "../rows/backfill-rows.js";

/** Backfills matching the filter, newest first; an empty `states` list matches nothing. */
export async function listBackfills(db: Kysely<Database>, filter: { dagId?: string; states?: BackfillRecord["state"][] }): Promise<BackfillRecord[]> {
  if (filter.states?.length === 0) return [];
  let query = db.selectFrom("backfills").selectAll();
  if (filter.dagId !== undefined) query = query.where("dag_id", "=", filter.dagId);
  if (filter.states !== undefined) query = query.where("state", "in", filter.states);
  const rows = await query.orderBy("id", "desc").execute();
  return rows.map(toBackfillRecord);
}
