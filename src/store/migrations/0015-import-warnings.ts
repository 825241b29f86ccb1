import type { Kysely, Migration } from "kysely";
import type { DialectFeatures } from "../dialect-features.js";
import { columnTypes } from "./column-types.js";

/**
 * Import warnings (docs/authoring.md, "Type errors as import warnings"): what the background type
 * check of the DAG folder found, per file, beside `import_errors` but never refusing a DAG. Same
 * columns as `import_errors`, plus TypeScript's diagnostic `code`.
 */
export function importWarningsMigration(features: DialectFeatures): Migration {
  const { int64, identity } = columnTypes(features);
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("import_warnings")
        .addColumn("id", int64, identity)
        .addColumn("file", "text", (c) => c.notNull())
        .addColumn("line_number", "integer")
        .addColumn("column_number", "integer")
        .addColumn("code", "integer")
        .addColumn("message", "text", (c) => c.notNull())
        .addColumn("at", int64, (c) => c.notNull())
        .execute();
      await db.schema.createIndex("import_warnings_file_idx").on("import_warnings").column("file").execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("import_warnings").ifExists().execute();
    },
  };
}
