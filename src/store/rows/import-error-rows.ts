import type { Selectable } from "kysely";
import type { ImportErrorRecord } from "../../core/model/records.js";
import type { ImportErrorsTable } from "../schema/database.js";

export function toImportErrorRecord(row: Selectable<ImportErrorsTable>): ImportErrorRecord {
  return {
    file: row.file,
    line: row.line_number,
    column: row.column_number,
    message: row.message,
    at: row.at,
  };
}
