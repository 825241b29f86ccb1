import { sql, type Kysely, type RawBuilder } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import { zoneOffsetSpans, type ZoneOffsetSpan } from "../../core/model/zone-days.js";
import type { DayOutcomes } from "../../core/ports/trends-store.js";
import type { Database } from "../schema/database.js";

const DAY_MS = 86_400_000;
/** The zone's offsets are looked up this far past `since` (the calendar shows at most 366 days); later instants keep the last offset. */
const SPAN_MS = 400 * DAY_MS;

/**
 * A DAG's runs per local day of `timeZone` by outcome since `since`: one grouped scan of the
 * DAG's runs. Times are integer epoch ms on both dialects; the zone's UTC offset at each instant
 * is a CASE over its offset spans (a change at each DST switch, found with Intl), so integer
 * division buckets them by local day the same way on each dialect, with no time-zone support
 * needed in the database.
 */
export async function dailyRunOutcomes(db: Kysely<Database>, dagId: string, since: EpochMs, timeZone = "UTC"): Promise<DayOutcomes[]> {
  const at = sql<number>`coalesce(logical_date, created_at)`;
  const day = sql<number | string>`((${at} + ${offsetAt(at, zoneOffsetSpans(timeZone, since, since + SPAN_MS))}) / ${sql.lit(DAY_MS)})`;
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

/** The offset in ms at instant `at`: `case when at < s1 then o0 when at < s2 then o1 … else oN end`, or the one offset. */
function offsetAt(at: RawBuilder<number>, spans: ZoneOffsetSpan[]): RawBuilder<number> {
  const last = spans[spans.length - 1]!;
  if (spans.length === 1) return sql<number>`${sql.lit(last.offsetMs)}`;
  const whens = spans.slice(1).map((s, i) => sql`when ${at} < ${sql.lit(s.from)} then ${sql.lit(spans[i]!.offsetMs)}`);
  return sql<number>`(case ${sql.join(whens, sql` `)} else ${sql.lit(last.offsetMs)} end)`;
}
