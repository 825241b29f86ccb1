import type { Kysely, Migration } from "kysely";
import type { DialectFeatures } from "../dialect-features.js";
import { columnTypes } from "./column-types.js";

/**
 * Named connections and variables. Values are ciphertext only (AES-256-GCM, see src/secrets);
 * a connection's id and type stay in clear so that listing needs no key.
 */
export function connectionsAndVariablesMigration(features: DialectFeatures): Migration {
  const { int64 } = columnTypes(features);
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("connections")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("type", "text", (c) => c.notNull())
        .addColumn("encrypted", "text", (c) => c.notNull())
        .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("updated_at", int64, (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("variables")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("encrypted", "text", (c) => c.notNull())
        .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
        .addColumn("updated_at", int64, (c) => c.notNull())
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      for (const table of ["variables", "connections"]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
