import type { EpochMs } from "../model/records.js";
import type { RunState, RunType } from "../model/states.js";

/** What to look for: `text` (case-insensitive; exact, prefix and substring matches) and at most `limit` hits per kind. */
export interface SearchQuery {
  text: string;
  limit: number;
}

/** Which field of a DAG matched, best first. */
export type DagMatchField = "id" | "tag" | "owner" | "description";

export interface DagHit {
  dagId: string;
  description: string | null;
  owner: string | null;
  tags: string[];
  paused: boolean;
  matched: DagMatchField;
  /** The DAG's newest run, if any. */
  latestRun: { runId: string; state: RunState } | null;
}

export interface RunHit {
  dagId: string;
  runId: string;
  state: RunState;
  runType: RunType;
  logicalDate: EpochMs | null;
  createdAt: EpochMs;
}

/** A task of an active DAG's latest version. */
export interface TaskHit {
  dagId: string;
  taskId: string;
  kind: string;
  /** The DAG's newest run, so a task can open in it; null before the first run. */
  latestRunId: string | null;
}

/** A dataset URI: written or read by a task of an active DAG, or with recorded events. */
export interface DatasetHit {
  uri: string;
  eventCount: number;
}

/** Hits per kind, best match first (exact, then prefix, then substring; then by id). */
export interface SearchResults {
  dags: DagHit[];
  runs: RunHit[];
  tasks: TaskHit[];
  datasets: DatasetHit[];
}

/**
 * Global search over DAGs, runs, tasks and datasets (the UI's ⌘K; docs/ui.md#search-and-navigation).
 * Implemented by src/store on SQLite and PostgreSQL; proven by the search contract.
 */
export interface SearchCatalog {
  search(query: SearchQuery): Promise<SearchResults>;
}
