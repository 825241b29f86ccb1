import type { Kysely } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";

/**
 * Declares lost every active or draining worker last seen before `seenBefore`, with its
 * attempts, in one transaction (lock order: workers, then remote_attempts). `running` attempts
 * are finished `crashed` with `error(workerId)`; `assigned` ones are finished `infra_failed`
 * (the worker may have started one without the `started` reaching a server: the scheduler runs a
 * new try, not counted, so no try runs twice), except those whose stop was asked for
 * (cancel_reason set; orphans too): those are finished with the outcome kept aside for them. Any late write from the lost worker is then
 * refused by fencing, since the rows are no longer assigned to it.
 */
export async function declareLostWorkers(db: Kysely<Database>, seenBefore: EpochMs, at: EpochMs, error: (workerId: string) => string): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    const candidates = await trx
      .selectFrom("workers")
      .select("id")
      .where("state", "in", ["active", "draining"])
      .where("last_seen_at", "<", seenBefore)
      .orderBy("id")
      .execute();
    const lost: string[] = [];
    for (const { id } of candidates) {
      const reason = error(id);
      // Re-checked row by row: another API server may have declared it, or it may have beaten since.
      const r = await trx
        .updateTable("workers")
        .set({ state: "lost", state_changed_at: at, reason })
        .where("id", "=", id)
        .where("state", "in", ["active", "draining"])
        .where("last_seen_at", "<", seenBefore)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) !== 1) continue;
      lost.push(id);
      await trx
        .updateTable("remote_attempts")
        .set({ state: "finished", outcome: JSON.stringify({ kind: "crashed", error: reason }), ended_at: at })
        .where("worker_id", "=", id)
        .where("state", "=", "running")
        .execute();
    }
    if (lost.length === 0) return [];
    await trx
      .updateTable("remote_attempts")
      .set({ state: "finished", ended_at: at })
      .where("worker_id", "in", lost)
      .where("state", "=", "assigned")
      .where("cancel_reason", "is not", null)
      .execute();
    // Assigned but not known to have started: the worker may have started it and died before
    // its `started` reached a server. Running it again as the same try could run that try twice,
    // so it ends as an infrastructure failure: the scheduler runs a new try, not counted.
    for (const id of lost) {
      await trx
        .updateTable("remote_attempts")
        .set({
          state: "finished",
          ended_at: at,
          outcome: JSON.stringify({ kind: "infra_failed", error: `${error(id)} before it reported starting the attempt` }),
        })
        .where("worker_id", "=", id)
        .where("state", "=", "assigned")
        .execute();
    }
    return lost;
  });
}
