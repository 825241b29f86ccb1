import { sql, type Kysely } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import type { RunCounts } from "../../core/ports/overview-store.js";
import type { Database } from "../schema/database.js";

/** Queued and running runs, and runs that ended failed since `failedSince`: one scan of the unfinished and recent runs. */
export async function countRuns(db: Kysely<Database>, failedSince: EpochMs): Promise<RunCounts> {
  const row = await db
    .selectFrom("dag_runs")
    .where((eb) => eb.or([eb("state", "in", ["queued", "running"]), eb.and([eb("state", "=", "failed"), eb("ended_at", ">=", failedSince)])]))
    .select((eb) => [
      eb.fn.count<number | string>(sql`case when state = 'queued' then 1 end`).as("queued"),
      eb.fn.count<number | string>(sql`case when state = 'running' then 1 end`).as("running"),
      eb.fn.count<number | string>(sql`case when state = 'failed' then 1 end`).as("failed"),
    ])
    .executeTakeFirst();
  return { queued: Number(row?.queued ?? 0), running: Number(row?.running ?? 0), failedSince: Number(row?.failed ?? 0) };
}
