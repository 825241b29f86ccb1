import type { Kysely } from "kysely";
import type { MissedDeadlineRecord } from "../../core/model/deadlines.js";
import type { MissedDeadlineFilter } from "../../core/ports/deadline-store.js";
import { chunk } from "../chunk.js";
import { toMissedDeadlineRecord } from "../rows/missed-deadline-rows.js";
import type { Database } from "../schema/database.js";

/** Newest first; `runPks` is read in chunks the engine's parameter limit allows. */
export async function listMissedDeadlines(db: Kysely<Database>, maxParameters: number, filter: MissedDeadlineFilter): Promise<MissedDeadlineRecord[]> {
  const limit = filter.limit ?? 100;
  if (filter.runPks !== undefined) {
    const found: MissedDeadlineRecord[] = [];
    for (const pks of chunk([...new Set(filter.runPks)], Math.max(1, maxParameters - 10))) {
      found.push(...(await query(db, filter, limit).where("run_pk", "in", pks).execute()).map(toMissedDeadlineRecord));
    }
    return found.sort((a, b) => b.id - a.id).slice(0, limit);
  }
  return (await query(db, filter, limit).execute()).map(toMissedDeadlineRecord);
}

function query(db: Kysely<Database>, filter: MissedDeadlineFilter, limit: number) {
  let q = db.selectFrom("missed_deadlines").selectAll().orderBy("id", "desc").limit(limit);
  if (filter.dagId !== undefined) q = q.where("dag_id", "=", filter.dagId);
  if (filter.since !== undefined) q = q.where("detected_at", ">=", filter.since);
  if (filter.beforeId !== undefined) q = q.where("id", "<", filter.beforeId);
  return q;
}
