import type { Kysely } from "kysely";
import { InvalidInputError } from "../../core/errors.js";
import type { ImportErrorRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { chunk, rowsPerStatement } from "../chunk.js";
import { columnCount } from "../key-order.js";

/** Replaces, in one transaction, the import errors recorded for `file`; an empty list clears them. */
export async function replaceImportErrors(db: Kysely<Database>, maxParameters: number, file: string, errors: ImportErrorRecord[]): Promise<void> {
  const stray = errors.find((e) => e.file !== file);
  if (stray) {
    throw new InvalidInputError(`replaceImportErrors("${file}") was given an error for another file: "${stray.file}"`);
  }
  const rows = errors.map((e) => ({
    file,
    line_number: e.line,
    column_number: e.column,
    message: e.message,
    at: e.at,
  }));
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom("import_errors").where("file", "=", file).execute();
    for (const part of chunk(rows, rowsPerStatement(maxParameters, rows[0] ? columnCount(rows[0]) : 1))) {
      await trx.insertInto("import_errors").values(part).execute();
    }
  });
}
