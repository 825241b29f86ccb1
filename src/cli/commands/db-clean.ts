import { setTimeout as sleep } from "node:timers/promises";
import { InvalidInputError } from "../../core/errors.js";
import { parseDuration } from "../../core/model/duration.js";
import type { RetentionFilter } from "../../core/ports/retention-store.js";
import { EXIT, iso, printJson } from "../output.js";
import { purgeUnusedBundles } from "../bundle-purge.js";
import { purgeRuns } from "../run-purge.js";
import { openSecretsResolver, withRuntime, type CommonOptions } from "../runtime.js";
import { configuredValueStore } from "../value-store.js";

export interface CleanOptions extends CommonOptions {
  olderThan?: string;
  dag?: string;
  dryRun?: boolean;
}

/**
 * `baton db clean --older-than 90d [--dag D] [--dry-run]`: deletes finished runs that ended
 * before now − the duration, batch by batch, with their rows and log folders; then the DAG
 * bundles no DAG's current version and no remaining run uses (unchanged for an hour).
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
      else
        process.stdout.write(
          `Would delete ${counts.runs} ${scope}: ${counts.taskInstances} task instances, ${counts.attempts} attempts, and their logs. Nothing was deleted (--dry-run).\n`,
        );
      return EXIT.ok;
    }
    const started = performance.now();
    const values = configuredValueStore(rt.config, openSecretsResolver(rt.config, rt.store).resolver);
    const total = await purgeRuns(retention, rt.config.logsDir, filter, { pause: (ms) => sleep(ms), values }).finally(() => values.close());
    const bundles = await purgeUnusedBundles(retention, rt.config.bundleDir, Date.now());
    const ms = Math.round(performance.now() - started);
    if (opts.json) printJson({ dryRun: false, endedBefore: iso(filter.endedBefore), dagId: opts.dag ?? null, ...total, ...bundles, ms });
    else {
      process.stdout.write(
        `Deleted ${total.runs} ${scope}: ${total.taskInstances} task instances, ${total.attempts} attempts, ${total.logDirs} log folders${total.valueObjects > 0 ? `, ${total.valueObjects} offloaded return values` : ""}, in ${total.batches} batches (${ms} ms). Dataset events and the audit trail are kept.\n`,
      );
      process.stdout.write(
        `Deleted ${bundles.bundles} stored DAG bundles and ${bundles.bundleFiles} bundle files that no DAG's current version and no remaining run uses.\n`,
      );
    }
    return EXIT.ok;
  });
}
