import { sql, type Kysely } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import type { DayOutcomes } from "../../core/ports/trends-store.js";
import type { Database } from "../schema/database.js";

const DAY_MS = 86_400_000;

/**
 * A DAG's runs per UTC day by outcome since `since`: one grouped scan of the DAG's runs. Times are
 * integer epoch ms on both dialects, so integer division buckets them the same way on each.
 */
export async function dailyRunOutcomes(db: Kysely<Database>, dagId: string, since: EpochMs): Promise<DayOutcomes[]> {
  const at = sql<number>`coalesce(logical_date, created_at)`;
  const day = sql<number | string>`(${at} / ${sql.lit(DAY_MS)})`;
  const rows = await db
    .selectFrom("dag_runs")
    .where("dag_id", "=", dagId)
    .where(at, ">=", since)
    .select((eb) => [
      day.as("day"),
      eb.fn.count<number | string>(sql`case when state = 'success' then 1 end`).as("success"),
      eb.fn.count<number | string>(sql`case when state = 'failed' then 1 end`).as("failed"),
      eb.fn.count<number | string>(sql`case when state in ('queued', 'running') then 1 end`).as("other"),
    ])
    .groupBy(day)
    .orderBy(day)
    .execute();
  return rows.map((r) => ({ day: Number(r.day), success: Number(r.success), failed: Number(r.failed), other: Number(r.other) }));
}
