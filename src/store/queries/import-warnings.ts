import type { Kysely } from "kysely";
import { InvalidInputError } from "../../core/errors.js";
import type { ImportWarningRecord } from "../../core/model/records.js";
import { chunk, rowsPerStatement } from "../chunk.js";
import type { Database } from "../schema/database.js";

/** Replaces, in one transaction, the import warnings recorded for `file`; an empty list clears them. */
export async function replaceImportWarnings(db: Kysely<Database>, maxParameters: number, file: string, warnings: ImportWarningRecord[]): Promise<void> {
  const stray = warnings.find((w) => w.file !== file);
  if (stray) throw new InvalidInputError(`replaceImportWarnings("${file}") was given a warning for another file: "${stray.file}"`);
  const rows = warnings.map((w) => ({ file, line_number: w.line, column_number: w.column, code: w.code, message: w.message, at: w.at }));
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("import_warnings").where("file", "=", file).execute();
    for (const part of chunk(rows, rowsPerStatement(maxParameters, 6))) await trx.insertInto("import_warnings").values(part).execute();
  });
}

/** All import warnings, by file, in the order they were reported. */
export async function listImportWarnings(db: Kysely<Database>): Promise<ImportWarningRecord[]> {
  const rows = await db.selectFrom("import_warnings").selectAll().orderBy("file").orderBy("id").execute();
  return rows.map((r) => ({ file: r.file, line: r.line_number, column: r.column_number, code: r.code, message: r.message, at: Number(r.at) }));
}
