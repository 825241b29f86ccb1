import type { DagVersionRecord, ImportErrorRecord } from "../core/model/records.js";

/** What loading one DAG file gave: its DAGs and its errors (a file may have both). */
export interface LoadResult {
  /** Absolute path of the DAG file. */
  file: string;
  dags: DagVersionRecord[];
  errors: ImportErrorRecord[];
  /**
   * The local files the DAG file's bundle was made of (itself and the helpers it imports), when
   * it bundled: a change to any of them is a change to the file (see dag-file-stamps.ts).
   */
  inputs?: string[];
}

/** Parent → child: load one file. */
export interface LoadRequest {
  id: number;
  file: string;
  bundleDir: string;
}

/**
 * Written by the child to stderr (synchronously) when DAG code calls `process.exit`, so that the
 * parent can tell that call from a crash or a signal.
 */
export const EXIT_CALLED_MARKER = "[baton] process.exit() was called by the DAG file\n";

/** Child → parent. */
export interface LoadResponse {
  id: number;
  result: LoadResult;
}

export function fileError(file: string, message: string, line: number | null = null, column: number | null = null): ImportErrorRecord {
  return { file, line, column, message, at: Date.now() };
}
