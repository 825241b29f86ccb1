import type { Kysely } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";

/**
 * Compare-and-set on the lease's beat: only a lease still at the beat the observer saw, and not
 * yet fenced, is fenced. Its DAGs and pool grants are handed back in the same transaction, and
 * because a fenced commit reads this row first (`commit-changes.ts`), a commit and a fence
 * serialise on it: the commit lands before the fence or is refused after it.
 */
export async function fenceScheduler(db: Kysely<Database>, id: string, seenBeat: number, by: string, at: EpochMs): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const fenced = await trx
      .updateTable("scheduler_leases")
      .set({ fenced_at: at, fenced_by: by })
      .where("id", "=", id)
      .where("beat", "=", seenBeat)
      .where("fenced_at", "is", null)
      .executeTakeFirst();
    if (Number(fenced.numUpdatedRows) !== 1) return false;
    await trx.updateTable("dags").set({ owner_id: null }).where("owner_id", "=", id).execute();
    await trx.deleteFrom("pool_grants").where("scheduler_id", "=", id).execute();
    return true;
  });
}
