import type { ImportErrorRecord } from "../../core/model/records.js";
import { iso } from "./iso.js";

/** A DAG's `importError`: its file's first import error, or null when the file loads. */
export function importErrorView(e: ImportErrorRecord | undefined) {
  return e === undefined ? null : { file: e.file, line: e.line, column: e.column, message: e.message, at: iso(e.at) };
}
