import type { Kysely } from "kysely";
import type { NewSchedulerLease } from "../../core/ports/scheduler-leases.js";
import type { Database } from "../schema/database.js";

/** A new lease at beat 0; ids are never reused, so this is a plain insert. */
export async function registerScheduler(db: Kysely<Database>, lease: NewSchedulerLease): Promise<void> {
  await db
    .insertInto("scheduler_leases")
    .values({
      id: lease.id,
      host: lease.host,
      pid: lease.pid,
      version: lease.version,
      started_at: lease.startedAt,
      beat: 0,
      beat_at: lease.startedAt,
      fenced_at: null,
      fenced_by: null,
    })
    .execute();
}
