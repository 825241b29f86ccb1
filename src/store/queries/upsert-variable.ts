import type { Kysely } from "kysely";
import type { StoredVariable } from "../../core/ports/secret-store.js";
import type { Database } from "../schema/database.js";

export async function upsertVariable(db: Kysely<Database>, v: StoredVariable): Promise<void> {
  await db
    .insertInto("variables")
    .values({ key: v.key, encrypted: v.encrypted, description: v.description, updated_at: v.updatedAt })
    .onConflict((oc) =>
      oc.column("key").doUpdateSet((eb) => ({
        encrypted: eb.ref("excluded.encrypted"),
        description: eb.ref("excluded.description"),
        updated_at: eb.ref("excluded.updated_at"),
      })),
    )
    .execute();
}
