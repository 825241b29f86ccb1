import type { Kysely } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";

/** One heartbeat: false when the lease is fenced or unknown (0 rows updated). */
export async function beatScheduler(db: Kysely<Database>, id: string, at: EpochMs): Promise<boolean> {
  const result = await db
    .updateTable("scheduler_leases")
    .set((eb) => ({ beat: eb("beat", "+", 1), beat_at: at }))
    .where("id", "=", id)
    .where("fenced_at", "is", null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}
