import type { Kysely } from "kysely";
import type { SchedulerLeaseRecord } from "../../core/ports/scheduler-leases.js";
import type { Database } from "../schema/database.js";

/** Every lease, by id (fenced ones included: they are the history operators read). */
export async function listSchedulerLeases(db: Kysely<Database>): Promise<SchedulerLeaseRecord[]> {
  const rows = await db.selectFrom("scheduler_leases").selectAll().orderBy("id").execute();
  return rows.map((r) => ({
    id: r.id,
    host: r.host,
    pid: Number(r.pid),
    version: r.version,
    startedAt: Number(r.started_at),
    beat: Number(r.beat),
    beatAt: Number(r.beat_at),
    fencedAt: r.fenced_at === null ? null : Number(r.fenced_at),
    fencedBy: r.fenced_by,
  }));
}
