import type { Kysely, Selectable } from "kysely";
import type { StoredConnection } from "../../core/ports/secret-store.js";
import type { ConnectionsTable, Database } from "../schema/database.js";

export async function getConnection(db: Kysely<Database>, id: string): Promise<StoredConnection | undefined> {
  const row = await db.selectFrom("connections").selectAll().where("id", "=", id).executeTakeFirst();
  return row === undefined ? undefined : toStoredConnection(row);
}

export function toStoredConnection(row: Selectable<ConnectionsTable>): StoredConnection {
  return { id: row.id, type: row.type, encrypted: row.encrypted, description: row.description, updatedAt: row.updated_at };
}
