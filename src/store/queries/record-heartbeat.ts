import type { Kysely } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";

/** Upserts the heartbeat of (component, id). */
export async function recordHeartbeat(db: Kysely<Database>, component: string, id: string, at: EpochMs): Promise<void> {
  await db
    .insertInto("heartbeats")
    .values({ component, id, at })
    .onConflict((oc) => oc.columns(["component", "id"]).doUpdateSet((eb) => ({ at: eb.ref("excluded.at") })))
    .execute();
}
