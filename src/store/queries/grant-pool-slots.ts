import type { Kysely } from "kysely";
import type { Database } from "../schema/database.js";

/**
 * Sets one scheduler's grant of a pool. The pool row is locked (`FOR UPDATE`; SQLite holds the
 * one write lock) so concurrent grants of a pool serialise, and the grants of unfenced schedulers
 * never add up to more than the pool's slots. A fence deletes grants without this lock: it can
 * only lower the sum.
 */
export async function grantPoolSlots(db: Kysely<Database>, rowLocks: boolean, pool: string, schedulerId: string, wanted: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    let q = trx.selectFrom("pools").select("slots").where("name", "=", pool);
    if (rowLocks) q = q.forUpdate();
    const row = await q.executeTakeFirst();
    if (!row) return 0;
    const others = await trx
      .selectFrom("pool_grants")
      .innerJoin("scheduler_leases", "scheduler_leases.id", "pool_grants.scheduler_id")
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("pool_grants.slots"), eb.val(0)).as("used"))
      .where("pool_grants.pool", "=", pool)
      .where("pool_grants.scheduler_id", "!=", schedulerId)
      .where("scheduler_leases.fenced_at", "is", null)
      .executeTakeFirstOrThrow();
    const granted = Math.max(0, Math.min(Math.max(0, wanted), Number(row.slots) - Number(others.used)));
    await trx
      .insertInto("pool_grants")
      .values({ pool, scheduler_id: schedulerId, slots: granted })
      .onConflict((oc) => oc.columns(["pool", "scheduler_id"]).doUpdateSet({ slots: granted }))
      .execute();
    return granted;
  });
}
