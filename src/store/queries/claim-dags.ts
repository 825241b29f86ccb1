import type { Kysely } from "kysely";
import type { Database } from "../schema/database.js";
import { compareText } from "../key-order.js";

/**
 * Claims DAGs nobody live owns: owner null, or a lease that is fenced or gone. With row locks
 * the candidates are selected `FOR UPDATE OF dags SKIP LOCKED`, so two claimers at once take
 * different DAGs instead of waiting; without them (SQLite) the transaction holds the one write lock.
 */
export async function claimDags(db: Kysely<Database>, rowLocks: boolean, schedulerId: string, limit: number): Promise<string[]> {
  if (limit <= 0) return [];
  return db.transaction().execute(async (trx) => {
    let q = trx
      .selectFrom("dags")
      .leftJoin("scheduler_leases", "scheduler_leases.id", "dags.owner_id")
      .select("dags.dag_id")
      .where((eb) => eb.or([eb("dags.owner_id", "is", null), eb("scheduler_leases.id", "is", null), eb("scheduler_leases.fenced_at", "is not", null)]))
      .orderBy("dags.dag_id")
      .limit(limit);
    if (rowLocks) q = q.forUpdate("dags").skipLocked();
    const ids = (await q.execute()).map((r) => r.dag_id);
    if (ids.length === 0) return [];
    // The select alone is not enough on PostgreSQL: a row another claimer took and committed while
    // this one scanned is re-checked against its new owner but the lease row joined before (none),
    // so it passes. The update re-checks each row against the live leases itself and says which it took.
    const taken = await trx
      .updateTable("dags")
      .set({ owner_id: schedulerId })
      .where("dag_id", "in", ids)
      .where((eb) =>
        eb.or([
          eb("owner_id", "is", null),
          eb.not(
            eb.exists(
              eb
                .selectFrom("scheduler_leases")
                .select("scheduler_leases.id")
                .whereRef("scheduler_leases.id", "=", "dags.owner_id")
                .where("scheduler_leases.fenced_at", "is", null),
            ),
          ),
        ]),
      )
      .returning("dag_id")
      .execute();
    return taken.map((r) => r.dag_id).sort(compareText);
  });
}
