import { InvalidInputError } from "../../core/errors.js";
import type { ReprocessBehavior } from "../../core/model/records.js";
import { MAX_BACKFILL_RUNS } from "../../core/timetable/timetable.js";
import { checkBackfillSize, createBackfill, planBackfill, type BackfillPlan, type BackfillRequest } from "../../scheduler/requests/create-backfill.js";
import { requireDagVersion } from "../../scheduler/requests/trigger-run.js";
import { recordCliAudit } from "../cli-audit.js";
import { iso, parseJsonOption, printJson } from "../output.js";
import { syncDags, withRuntime, type CommonOptions } from "../runtime.js";
import { parseDateOption } from "./dags-trigger.js";

export interface BackfillOptions extends CommonOptions {
  from?: string;
  to?: string;
  reprocess?: string;
  rerunFailed?: boolean;
  maxActiveRuns?: string;
  conf?: string;
  dryRun?: boolean;
  force?: boolean;
}

/**
 * Records a backfill; the scheduler creates and runs its runs (this process does not wait).
 */
export async function dagsBackfill(dagId: string, opts: BackfillOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    if (!opts.from || !opts.to) throw new InvalidInputError("--from and --to are required (YYYY-MM-DD or ISO date-time)");
    await syncDags(rt);
    const tz = (await requireDagVersion(rt.store, dagId)).spec.timezone;
    const request: BackfillRequest = {
      dagId,
      from: parseDateOption(opts.from, tz, 0, "--from"),
      to: parseDateOption(opts.to, tz, 0, "--to"),
      reprocess: (opts.rerunFailed ? "failed" : (opts.reprocess ?? "none")) as ReprocessBehavior,
      maxActiveRuns: opts.maxActiveRuns === undefined ? null : Number(opts.maxActiveRuns),
      conf: parseJsonOption(opts.conf, "--conf"),
      force: opts.force === true,
    };
    const plan = await planBackfill(rt.store, request);
    const dates = plan.intervals.map((i) => iso(i.logicalDate));
    if (opts.dryRun) {
      const needsForce = !request.force && dates.length > MAX_BACKFILL_RUNS;
      if (opts.json) printJson({ dagId, dryRun: true, count: dates.length, more: plan.more, needsForce, logicalDates: dates });
      else process.stdout.write(`Would backfill ${countText(plan)} interval(s) of ${dagId}${needsForce ? forceNote(plan) : ""}:\n${dates.join("\n")}\n`);
      return 0;
    }
    checkBackfillSize(request, plan);
    const b = await createBackfill(rt.store, request);
    const [from, to] = [iso(b.fromDate), iso(b.toDate)];
    await recordCliAudit(rt.store, "backfill.create", {
      command: "dags backfill",
      target: { type: "backfill", id: String(b.id) },
      dagId,
      after: { from, to, reprocess: b.reprocess, maxActiveRuns: b.maxActiveRuns, conf: b.conf, force: request.force },
    });
    if (opts.json) {
      printJson({ id: b.id, dagId, from, to, reprocess: b.reprocess, maxActiveRuns: b.maxActiveRuns, state: b.state, logicalDates: dates });
    } else {
      process.stdout.write(
        `Backfill ${b.id} of ${dagId} queued: ${dates.length} interval(s) from ${from} to ${to} ` +
          `(reprocess: ${b.reprocess}, max active runs: ${b.maxActiveRuns}). The scheduler runs it; watch with \`baton runs list --dag ${dagId}\`.\n`,
      );
    }
    return 0;
  });
}

function countText(plan: BackfillPlan): string {
  return plan.more ? `more than ${plan.intervals.length}` : String(plan.intervals.length);
}

function forceNote(plan: BackfillPlan): string {
  return ` (more than the limit of ${MAX_BACKFILL_RUNS} runs per backfill: creating it needs --force${plan.more ? "; the first ones follow" : ""})`;
}
