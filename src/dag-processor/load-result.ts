import type { DagVersionRecord, ImportErrorRecord } from "../core/model/records.js";

/** What loading one DAG file gave: its DAGs and its errors (a file may have both). */
export interface LoadResult {
  /** Absolute path of the DAG file. */
  file: string;
  dags: DagVersionRecord[];
  errors: ImportErrorRecord[];
}

/** Parent → child: load one file. */
export interface LoadRequest {
  id: number;
  file: string;
  bundleDir: string;
}

/** Child → parent. */
export interface LoadResponse {
  id: number;
  result: LoadResult;
}

export function fileError(file: string, message: string, line: number | null = null, column: number | null = null): ImportErrorRecord {
  return { file, line, column, message, at: Date.now() };
}
