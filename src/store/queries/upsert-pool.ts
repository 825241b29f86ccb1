import type { Kysely } from "kysely";
import type { PoolRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";

export async function upsertPool(db: Kysely<Database>, pool: PoolRecord): Promise<void> {
  await db
    .insertInto("pools")
    .values({ name: pool.name, slots: pool.slots, description: pool.description })
    .onConflict((oc) =>
      oc.column("name").doUpdateSet((eb) => ({
        slots: eb.ref("excluded.slots"),
        description: eb.ref("excluded.description"),
      })),
    )
    .execute();
}
