import type { Kysely } from "kysely";
import type { StoredConnection } from "../../core/ports/secret-store.js";
import type { Database } from "../schema/database.js";

export async function upsertConnection(db: Kysely<Database>, c: StoredConnection): Promise<void> {
  await db
    .insertInto("connections")
    .values({ id: c.id, type: c.type, encrypted: c.encrypted, description: c.description, updated_at: c.updatedAt })
    .onConflict((oc) =>
      oc.column("id").doUpdateSet((eb) => ({
        type: eb.ref("excluded.type"),
        encrypted: eb.ref("excluded.encrypted"),
        description: eb.ref("excluded.description"),
        updated_at: eb.ref("excluded.updated_at"),
      })),
    )
    .execute();
}
