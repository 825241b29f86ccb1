import type { Kysely } from "kysely";
import type { Database } from "../schema/database.js";
import { chunk } from "../chunk.js";

/** DAG ids per statement (one parameter each, far below every dialect's limit). */
const IDS_PER_STATEMENT = 500;

/**
 * Per DAG, its queued and running runs that belong to no backfill (what its maxActiveRuns bounds
 * when the scheduler creates scheduled runs). A DAG with none is absent from the map.
 */
export async function countActiveRuns(db: Kysely<Database>, dagIds: readonly string[]): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const ids of chunk([...new Set(dagIds)], IDS_PER_STATEMENT)) {
    const rows = await db
      .selectFrom("dag_runs")
      .select(["dag_id", (eb) => eb.fn.countAll().as("n")])
      .where("dag_id", "in", ids)
      .where("state", "in", ["queued", "running"])
      .where("backfill_id", "is", null)
      .groupBy("dag_id")
      .execute();
    for (const r of rows) counts.set(r.dag_id, Number(r.n));
  }
  return counts;
}
