import type { Kysely } from "kysely";
import type { PoolRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";

export async function getPool(db: Kysely<Database>, name: string): Promise<PoolRecord | undefined> {
  return db.selectFrom("pools").select(["name", "slots", "description"]).where("name", "=", name).executeTakeFirst();
}
