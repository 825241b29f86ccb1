import type { ImportErrorRecord, ImportWarningRecord } from "../../core/model/records.js";
import { iso } from "./iso.js";

/** An `ImportError` of the API: a load error (`severity` "error", `code` null) or a type-check warning. */
export function importProblemView(e: ImportErrorRecord, severity: "error" | "warning", code: number | null = null) {
  return { file: e.file, line: e.line, column: e.column, message: e.message, at: iso(e.at), severity, code };
}

/** A DAG's `importError`: its file's first import error (always a load error: no `severity`), or null when the file loads. */
export function importErrorView(e: ImportErrorRecord | undefined) {
  return e === undefined ? null : { file: e.file, line: e.line, column: e.column, message: e.message, at: iso(e.at) };
}

/** A type-check warning as the API shows it. */
export function importWarningView(w: ImportWarningRecord) {
  return importProblemView(w, "warning", w.code);
}
