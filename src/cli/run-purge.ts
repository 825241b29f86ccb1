import { rmdirSync, rmSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import type { PurgeLimits, RetentionFilter, RetentionStore } from "../core/ports/retention-store.js";
import { runValuePrefix, type ValueStore } from "../core/ports/value-store.js";

/**
 * One transaction deletes at most this much (docs/storage.md, "Backup, restore and retention"):
 * small enough that the scheduler's commits wait for it only briefly.
 */
export const CLEAN_BATCH: PurgeLimits = { maxRuns: 1_000, maxTaskInstances: 5_000 };

export interface PurgeTotals {
  runs: number;
  taskInstances: number;
  attempts: number;
  logDirs: number;
  /** Offloaded return values deleted from the value store (BATON_VALUE_STORE, docs/storage.md#large-return-values). */
  valueObjects: number;
  batches: number;
}

/** A run's log folder, `<logs>/dag_id=<d>/run_id=<r>`, or null when the ids would lead outside the logs folder. */
function runLogDir(logsDir: string, dagId: string, runId: string): string | null {
  const dir = join(logsDir, `dag_id=${dagId}`, `run_id=${runId}`);
  const inside = relative(resolve(logsDir), resolve(dir));
  return inside === "" || inside.startsWith("..") || isAbsolute(inside) ? null : dir;
}

/**
 * Deletes the finished runs `filter` matches, batch by batch, with their rows and log folders
 * (`baton db clean` and the scheduled retention). After each batch it waits `pause(ms)` with ms
 * as long as the batch took, so another writer on the same SQLite file gets the lock at least
 * half of the time; `stopped()` ends it between batches.
 */
export async function purgeRuns(
  retention: Pick<RetentionStore, "purgeFinishedRuns">,
  logsDir: string,
  filter: RetentionFilter,
  opts: { pause: (ms: number) => Promise<void>; stopped?: () => boolean; values?: Pick<ValueStore, "deletePrefix"> | null },
): Promise<PurgeTotals> {
  const total: PurgeTotals = { runs: 0, taskInstances: 0, attempts: 0, logDirs: 0, valueObjects: 0, batches: 0 };
  while (!(opts.stopped?.() ?? false)) {
    const batchStart = performance.now();
    const batch = await retention.purgeFinishedRuns(filter, CLEAN_BATCH);
    if (batch.runs === 0) break;
    total.batches += 1;
    total.runs += batch.runs;
    total.taskInstances += batch.taskInstances;
    total.attempts += batch.attempts;
    const dagDirs = new Set<string>();
    // The runs' offloaded values (after their rows: a reference never outlives its object's delete by more than this batch).
    if (opts.values) for (const run of batch.deleted) total.valueObjects += await opts.values.deletePrefix(runValuePrefix(run.dagId, run.runId));
    for (const run of batch.deleted) {
      const dir = runLogDir(logsDir, run.dagId, run.runId);
      if (dir === null) continue;
      rmSync(dir, { recursive: true, force: true });
      total.logDirs += 1;
      dagDirs.add(join(dir, ".."));
    }
    for (const d of dagDirs) {
      try {
        rmdirSync(d); // only when empty: the DAG's remaining runs keep theirs
      } catch {
        /* not empty or gone */
      }
    }
    await opts.pause(Math.max(10, performance.now() - batchStart));
  }
  return total;
}
