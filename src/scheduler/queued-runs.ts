import type { DagRecord, RunRecord } from "../core/model/records.js";
import type { QueuedRunGroup, Store } from "../core/ports/store.js";

/** The most queued runs read for one group in one tick; a group allowed more starts the rest next tick. */
export const MAX_QUEUED_PAGE = 500;

export interface QueuedRunsInput {
  store: Pick<Store, "listQueuedRunGroups" | "listDueQueuedRuns" | "getBackfill">;
  dags: ReadonlyMap<string, DagRecord>;
  /** Runs the scheduler already holds (running). */
  active: Iterable<Pick<RunRecord, "id" | "dagId" | "backfillId">>;
  /** A DAG version's maxActiveRuns (16 when the version is gone); asked for the DAG's latest version. */
  maxActiveRuns(dagVersion: string): Promise<number>;
  now: number;
}

const keyOf = (r: QueuedRunGroup) => (r.backfillId !== null ? `backfill:${r.backfillId}` : r.dagId);

/**
 * The queued runs that may start now: due (runAfter passed), of an unpaused DAG, oldest logical
 * date first within their DAG's current maxActiveRuns (its latest version's) — or, for a
 * backfill's runs, the backfill's, and none while the backfill is paused. Memory is bounded by
 * the limits, not by the queue: a group at its limit reads no run, and one with free slots reads
 * one page of at most `limit` runs (enough, as at most the group's active runs can still be
 * queued in the store).
 */
export async function runsToStart(input: QueuedRunsInput): Promise<RunRecord[]> {
  const { store, dags, now } = input;
  const running = new Map<string, number>();
  const activeIds = new Set<number>();
  for (const r of input.active) {
    activeIds.add(r.id);
    running.set(keyOf(r), (running.get(keyOf(r)) ?? 0) + 1);
  }
  const start: RunRecord[] = [];
  for (const group of await store.listQueuedRunGroups(now)) {
    const dag = dags.get(group.dagId);
    if (!dag || dag.paused) continue;
    let limit: number;
    if (group.backfillId !== null) {
      const backfill = await store.getBackfill(group.backfillId);
      // A paused backfill's queued runs stay queued (its running ones go on); read each tick, so
      // every scheduler sees a pause made by the API or the CLI.
      if (backfill?.paused) continue;
      limit = backfill?.maxActiveRuns ?? 1;
    } else {
      limit = await input.maxActiveRuns(dag.latestVersion);
    }
    let count = running.get(keyOf(group)) ?? 0;
    if (count >= limit) continue;
    const page = await store.listDueQueuedRuns({ ...group, dueBy: now, limit: Math.min(limit, MAX_QUEUED_PAGE) });
    for (const run of page) {
      if (count >= limit) break;
      if (activeIds.has(run.id)) continue;
      count++;
      start.push(run);
    }
  }
  return start;
}
