import { rmdirSync, rmSync } from "node:fs";
import { join, relative, resolve, isAbsolute } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { InvalidInputError } from "../../core/errors.js";
import { parseDuration } from "../../core/model/duration.js";
import type { PurgeLimits, RetentionFilter } from "../../core/ports/retention-store.js";
import { EXIT, iso, printJson } from "../output.js";
import { withRuntime, type CommonOptions } from "../runtime.js";

export interface CleanOptions extends CommonOptions {
  olderThan?: string;
  dag?: string;
  dryRun?: boolean;
}

/**
 * One transaction deletes at most this much (docs/storage.md, "Backup, restore and retention"):
 * small enough that the scheduler's commits wait for it only briefly.
 */
const CLEAN_BATCH: PurgeLimits = { maxRuns: 1_000, maxTaskInstances: 5_000 };

/** A run's log folder, `<logs>/dag_id=<d>/run_id=<r>`, or null when the ids would lead outside the logs folder. */
function runLogDir(logsDir: string, dagId: string, runId: string): string | null {
  const dir = join(logsDir, `dag_id=${dagId}`, `run_id=${runId}`);
  const inside = relative(resolve(logsDir), resolve(dir));
  return inside === "" || inside.startsWith("..") || isAbsolute(inside) ? null : dir;
}

/**
 * `baton db clean --older-than 90d [--dag D] [--dry-run]`: deletes finished runs that ended
 * before now − the duration, batch by batch, with their rows and log folders.
 */
export async function dbClean(opts: CleanOptions): Promise<number> {
  if (opts.olderThan === undefined) throw new InvalidInputError("--older-than is required, e.g. --older-than 90d");
  const age = parseDuration(opts.olderThan, "--older-than");
  const filter: RetentionFilter = { endedBefore: Date.now() - age, ...(opts.dag !== undefined ? { dagId: opts.dag } : {}) };
  const scope = `finished runs that ended before ${iso(filter.endedBefore)}${opts.dag !== undefined ? ` of DAG ${opts.dag}` : ""}`;
  return withRuntime(opts, async (rt) => {
    const retention = rt.store.retention;
    if (opts.dryRun) {
      const counts = await retention.countFinishedRuns(filter);
      if (opts.json) printJson({ dryRun: true, endedBefore: iso(filter.endedBefore), dagId: opts.dag ?? null, ...counts });
      else process.stdout.write(`Would delete ${counts.runs} ${scope}: ${counts.taskInstances} task instances, ${counts.attempts} attempts, and their logs. Nothing was deleted (--dry-run).\n`);
      return EXIT.ok;
    }
    const started = performance.now();
    const total = { runs: 0, taskInstances: 0, attempts: 0, logDirs: 0, batches: 0 };
    for (;;) {
      const batchStart = performance.now();
      const batch = await retention.purgeFinishedRuns(filter, CLEAN_BATCH);
      if (batch.runs === 0) break;
      total.batches += 1;
      total.runs += batch.runs;
      total.taskInstances += batch.taskInstances;
      total.attempts += batch.attempts;
      const dagDirs = new Set<string>();
      for (const run of batch.deleted) {
        const dir = runLogDir(rt.config.logsDir, run.dagId, run.runId);
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
      // Give other writers (the scheduler) the database for at least as long as the batch held it.
      await sleep(Math.max(10, performance.now() - batchStart));
    }
    const ms = Math.round(performance.now() - started);
    if (opts.json) printJson({ dryRun: false, endedBefore: iso(filter.endedBefore), dagId: opts.dag ?? null, ...total, ms });
    else process.stdout.write(`Deleted ${total.runs} ${scope}: ${total.taskInstances} task instances, ${total.attempts} attempts, ${total.logDirs} log folders, in ${total.batches} batches (${ms} ms). Dataset events and the audit trail are kept.\n`);
    return EXIT.ok;
  });
}
