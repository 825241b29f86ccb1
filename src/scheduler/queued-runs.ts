import type { DagRecord, RunRecord } from "../core/model/records.js";
import type { Store } from "../core/ports/store.js";

export interface QueuedRunsInput {
  store: Store;
  dags: ReadonlyMap<string, DagRecord>;
  /** Runs the scheduler already holds (running). */
  active: Iterable<Pick<RunRecord, "id" | "dagId" | "backfillId">>;
  /** A DAG version's maxActiveRuns (16 when the version is gone). */
  maxActiveRuns(dagVersion: string): Promise<number>;
  now: number;
}

/**
 * The queued runs that may start now, oldest logical date first: due (runAfter passed), of an
 * unpaused DAG, within their DAG's maxActiveRuns — or, for a backfill's runs, the backfill's.
 */
export async function runsToStart(input: QueuedRunsInput): Promise<RunRecord[]> {
  const { store, dags, now } = input;
  const queued = await store.listRuns({ states: ["queued"], limit: 100_000 });
  if (queued.length === 0) return [];
  queued.sort((a, b) => (a.logicalDate ?? a.runAfter) - (b.logicalDate ?? b.runAfter) || a.id - b.id);
  const keyOf = (r: Pick<RunRecord, "dagId" | "backfillId">) => (r.backfillId !== null ? `backfill:${r.backfillId}` : r.dagId);
  const running = new Map<string, number>();
  const activeIds = new Set<number>();
  for (const r of input.active) {
    activeIds.add(r.id);
    running.set(keyOf(r), (running.get(keyOf(r)) ?? 0) + 1);
  }
  const backfillLimits = new Map<number, number>();
  const start: RunRecord[] = [];
  for (const run of queued) {
    if (run.runAfter > now || activeIds.has(run.id)) continue;
    const dag = dags.get(run.dagId);
    if (!dag || dag.paused) continue;
    let limit: number;
    if (run.backfillId !== null) {
      if (!backfillLimits.has(run.backfillId)) backfillLimits.set(run.backfillId, (await store.getBackfill(run.backfillId))?.maxActiveRuns ?? 1);
      limit = backfillLimits.get(run.backfillId)!;
    } else {
      limit = await input.maxActiveRuns(run.dagVersion);
    }
    const key = keyOf(run);
    if ((running.get(key) ?? 0) >= limit) continue;
    running.set(key, (running.get(key) ?? 0) + 1);
    start.push(run);
  }
  return start;
}
