import type { Kysely } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";

export async function listHeartbeats(db: Kysely<Database>, component: string): Promise<{ id: string; at: EpochMs }[]> {
  return db.selectFrom("heartbeats").select(["id", "at"]).where("component", "=", component).orderBy("id").execute();
}
