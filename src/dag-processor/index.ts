export { findDagFiles } from "./find-dag-files.js";
export { loadDagFiles, type LoadOptions, type LoadResult } from "./load-dag-files.js";
export { DagSync } from "./dag-sync.js";
