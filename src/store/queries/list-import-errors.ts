import type { Kysely } from "kysely";
import type { ImportErrorRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toImportErrorRecord } from "../rows/import-error-rows.js";

/** All import errors, by file, in the order they were reported. */
export async function listImportErrors(db: Kysely<Database>): Promise<ImportErrorRecord[]> {
  const rows = await db.selectFrom("import_errors").selectAll().orderBy("file").orderBy("id").execute();
  return rows.map(toImportErrorRecord);
}
