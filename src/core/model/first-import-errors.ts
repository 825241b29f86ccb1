import type { ImportErrorRecord } from "./records.js";

/**
 * The import error a DAG is marked with: the first recorded for each file, by line (an error
 * without a line comes after those with one). The API's `importError` and `baton dags list` use it.
 */
export function firstImportErrorByFile(errors: readonly ImportErrorRecord[]): Map<string, ImportErrorRecord> {
  const out = new Map<string, ImportErrorRecord>();
  for (const e of errors) {
    const seen = out.get(e.file);
    if (!seen || (e.line !== null && (seen.line === null || e.line < seen.line))) out.set(e.file, e);
  }
  return out;
}
