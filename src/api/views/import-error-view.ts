import type { ImportErrorRecord } from "../../core/model/records.js";
import { iso } from "./iso.js";

/** The first import error recorded for each file (by line; an error without a line last). */
export function firstImportErrorByFile(errors: readonly ImportErrorRecord[]): Map<string, ImportErrorRecord> {
  const out = new Map<string, ImportErrorRecord>();
  for (const e of errors) {
    const seen = out.get(e.file);
    if (!seen || (e.line !== null && (seen.line === null || e.line < seen.line))) out.set(e.file, e);
  }
  return out;
}

/** A DAG's `importError`: its file's first import error, or null when the file loads. */
export function importErrorView(e: ImportErrorRecord | undefined) {
  return e === undefined ? null : { file: e.file, line: e.line, column: e.column, message: e.message, at: iso(e.at) };
}
