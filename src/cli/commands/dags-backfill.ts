import { InvalidInputError } from "../../core/errors.js";
import type { ReprocessBehavior } from "../../core/model/records.js";
import { resolveParams } from "../../core/params/resolve-params.js";
import { intervalsInRange } from "../../core/timetable/timetable.js";
import { timetableOf } from "../../scheduler/scheduled-runs.js";
import { iso, parseJsonOption, printJson } from "../output.js";
import { syncDags, withRuntime, type CommonOptions } from "../runtime.js";
import { requireDag } from "./dags-read.js";
import { parseDateOption } from "./dags-trigger.js";

export interface BackfillOptions extends CommonOptions {
  from?: string;
  to?: string;
  reprocess?: string;
  rerunFailed?: boolean;
  maxActiveRuns?: string;
  conf?: string;
  dryRun?: boolean;
}

const BEHAVIORS: ReprocessBehavior[] = ["none", "failed", "completed"];

/**
 * Records a backfill; the scheduler creates and runs its runs (this process does not wait).
 */
export async function dagsBackfill(dagId: string, opts: BackfillOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    if (!opts.from || !opts.to) throw new InvalidInputError("--from and --to are required (YYYY-MM-DD or ISO date-time)");
    await syncDags(rt);
    const version = await requireDag(rt, dagId);
    const tz = version.spec.timezone;
    const fromDate = parseDateOption(opts.from, tz, 0);
    const toDate = parseDateOption(opts.to, tz, 0);
    if (toDate < fromDate) throw new InvalidInputError(`--to (${opts.to}) is before --from (${opts.from})`);
    const reprocess = (opts.rerunFailed ? "failed" : (opts.reprocess ?? "none")) as ReprocessBehavior;
    if (!BEHAVIORS.includes(reprocess)) throw new InvalidInputError(`--reprocess "${opts.reprocess}" is not one of: ${BEHAVIORS.join(", ")}`);
    const maxActiveRuns = opts.maxActiveRuns === undefined ? version.spec.maxActiveRuns : Number(opts.maxActiveRuns);
    if (!Number.isInteger(maxActiveRuns) || maxActiveRuns < 1) throw new InvalidInputError(`--max-active-runs must be a positive integer`);
    const conf = parseJsonOption(opts.conf, "--conf");
    resolveParams(version.spec.paramsSchema, version.spec.paramsDefaults, conf);
    if (version.spec.schedule.kind === "none" || version.spec.schedule.kind === "once") {
      throw new InvalidInputError(`DAG ${dagId} has no recurring schedule to backfill; trigger runs with \`baton dags trigger --date\``);
    }
    const intervals = intervalsInRange(timetableOf(version.spec), fromDate, toDate);
    const dates = intervals.map((i) => iso(i.logicalDate));
    if (opts.dryRun) {
      if (opts.json) printJson({ dagId, dryRun: true, logicalDates: dates });
      else process.stdout.write(`Would backfill ${dates.length} interval(s) of ${dagId}:\n${dates.join("\n")}\n`);
      return 0;
    }
    const b = await rt.store.createBackfill({ dagId, fromDate, toDate, reprocess, maxActiveRuns, conf });
    if (opts.json) {
      printJson({ id: b.id, dagId, from: iso(fromDate), to: iso(toDate), reprocess, maxActiveRuns, state: b.state, logicalDates: dates });
    } else {
      process.stdout.write(
        `Backfill ${b.id} of ${dagId} queued: ${dates.length} interval(s) from ${iso(fromDate)} to ${iso(toDate)} ` +
          `(reprocess: ${reprocess}, max active runs: ${maxActiveRuns}). The scheduler runs it; watch with \`baton runs list --dag ${dagId}\`.\n`,
      );
    }
    return 0;
  });
}
