import type { EpochMs } from "../model/records.js";

/** What one scheduler lease owns now: its DAGs and their unfinished runs. */
export interface SchedulerLoad {
  schedulerId: string;
  dags: number;
  queuedRuns: number;
  runningRuns: number;
}

/** Runs across all DAGs: unfinished ones now, and failures since a time. */
export interface RunCounts {
  queued: number;
  running: number;
  /** Runs that ended failed at or after the `since` asked for. */
  failedSince: number;
}

/**
 * The counts the home page's overview reads (`GET /api/v1/overview`; docs/ui.md#home). Aggregates
 * only: each method is one statement. Implemented by src/store on SQLite and PostgreSQL; proven by
 * the overview contract.
 */
export interface OverviewStore {
  /** Per owning scheduler lease id (owners of no DAG are absent), by id. */
  schedulerLoads(): Promise<SchedulerLoad[]>;
  countRuns(failedSince: EpochMs): Promise<RunCounts>;
}
