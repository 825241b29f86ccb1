import type { Kysely, Selectable } from "kysely";
import type { StoredVariable } from "../../core/ports/secret-store.js";
import type { Database, VariablesTable } from "../schema/database.js";

export async function getVariable(db: Kysely<Database>, key: string): Promise<StoredVariable | undefined> {
  const row = await db.selectFrom("variables").selectAll().where("key", "=", key).executeTakeFirst();
  return row === undefined ? undefined : toStoredVariable(row);
}

export function toStoredVariable(row: Selectable<VariablesTable>): StoredVariable {
  return { key: row.key, encrypted: row.encrypted, description: row.description, updatedAt: row.updated_at };
}
