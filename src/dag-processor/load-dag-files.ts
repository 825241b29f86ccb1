import { DagFileLoader, type LoaderOptions } from "./dag-file-loader.js";
import type { LoadResult } from "./load-result.js";
import { resolveDuplicateDags } from "./resolve-duplicate-dags.js";

export type { LoadResult } from "./load-result.js";
export type LoadOptions = LoaderOptions;

/**
 * Loads DAG files in child processes, several at a time (see {@link DagFileLoader}), and returns
 * one result per file in the given order. A file that hangs, runs out of memory or ends its
 * process is reported by that cause and never holds up the others. DAG ids defined by several
 * files are kept in the first file and reported in all of them.
 */
export async function loadDagFiles(files: string[], opts: LoadOptions): Promise<LoadResult[]> {
  const loader = new DagFileLoader(opts);
  return resolveDuplicateDags(await Promise.all(files.map((f) => loader.load(f))));
}
