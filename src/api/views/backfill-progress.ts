import type { BackfillRecord } from "../../core/model/records.js";
import type { RunState } from "../../core/model/states.js";
import type { Store } from "../../core/ports/store.js";
import { backfillView } from "./backfill-view.js";

/** The runs a backfill waits for, by state: its DAG's runs with a logical date in its range. */
export interface BackfillProgress {
  total: number;
  queued: number;
  running: number;
  success: number;
  failed: number;
}

/** Bounds the runs read per backfill (one backfill makes at most 100,000 runs, forced). */
const MAX_COUNTED = 100_000;

/**
 * Counts a backfill's runs by state, as its planner sees them: every run of the DAG whose logical
 * date is in [from, to] (runs it created, and existing ones it kept or re-ran). Before the
 * scheduler plans a queued backfill, `total` is 0.
 */
export async function backfillProgress(store: Store, b: BackfillRecord): Promise<BackfillProgress> {
  const runs = await store.listRuns({ dagId: b.dagId, logicalDateFrom: b.fromDate, logicalDateTo: b.toDate, limit: MAX_COUNTED });
  const by: Record<RunState, number> = { queued: 0, running: 0, success: 0, failed: 0 };
  for (const r of runs) by[r.state]++;
  return { total: runs.length, ...by };
}

export type BackfillWithProgress = ReturnType<typeof backfillView> & { progress: BackfillProgress };

export async function backfillWithProgress(store: Store, b: BackfillRecord): Promise<BackfillWithProgress> {
  return { ...backfillView(b), progress: await backfillProgress(store, b) };
}

/** Backfills, newest first, with their progress (what GET /api/v1/backfills and `baton backfills list` show). */
export async function listBackfillsWithProgress(store: Store, filter: { dagId?: string }): Promise<BackfillWithProgress[]> {
  const list = [...(await store.listBackfills(filter))].sort((a, b) => b.id - a.id);
  return Promise.all(list.map((b) => backfillWithProgress(store, b)));
}
