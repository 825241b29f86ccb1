import type { Kysely } from "kysely";
import type { PoolRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";

export async function listPools(db: Kysely<Database>): Promise<PoolRecord[]> {
  return db.selectFrom("pools").select(["name", "slots", "description"]).orderBy("name").execute();
}
