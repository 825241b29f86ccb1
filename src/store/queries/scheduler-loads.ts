import { sql, type Kysely } from "kysely";
import type { SchedulerLoad } from "../../core/ports/overview-store.js";
import type { Database } from "../schema/database.js";

/** DAGs per owner, with their queued and running runs: one grouped join. */
export async function schedulerLoads(db: Kysely<Database>): Promise<SchedulerLoad[]> {
  const rows = await db
    .selectFrom("dags as d")
    .leftJoin("dag_runs as r", (j) => j.onRef("r.dag_id", "=", "d.dag_id").on("r.state", "in", ["queued", "running"]))
    .where("d.owner_id", "is not", null)
    .select((eb) => [
      "d.owner_id as owner",
      eb.fn.count<number | string>(sql`distinct d.dag_id`).as("dags"),
      eb.fn.count<number | string>(sql`case when r.state = 'queued' then 1 end`).as("queued"),
      eb.fn.count<number | string>(sql`case when r.state = 'running' then 1 end`).as("running"),
    ])
    .groupBy("d.owner_id")
    .orderBy("d.owner_id")
    .execute();
  return rows.map((r) => ({ schedulerId: r.owner!, dags: Number(r.dags), queuedRuns: Number(r.queued), runningRuns: Number(r.running) }));
}
