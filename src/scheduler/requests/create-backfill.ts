import { InvalidInputError } from "../../core/errors.js";
import type { BackfillRecord, ReprocessBehavior } from "../../core/model/records.js";
import { resolveParams } from "../../core/params/resolve-params.js";
import type { Store } from "../../core/ports/store.js";
import { firstIntervalsInRange, intervalsInRange, MAX_BACKFILL_RUNS, type RunInterval } from "../../core/timetable/timetable.js";
import { timetableOf } from "../scheduled-runs.js";
import { requireDagVersion } from "./trigger-run.js";

export const REPROCESS_BEHAVIORS: ReprocessBehavior[] = ["none", "failed", "completed"];
/** An unforced request counts its range up to this many intervals (the count's cost is bounded). */
const COUNT_UP_TO = 10 * MAX_BACKFILL_RUNS;

export interface BackfillRequest {
  dagId: string;
  from: number;
  to: number;
  reprocess?: ReprocessBehavior;
  maxActiveRuns?: number | null;
  conf?: Record<string, unknown>;
  /** Accept more than {@link MAX_BACKFILL_RUNS} runs (up to the timetable's 100,000 intervals). */
  force?: boolean;
}

export interface BackfillPlan {
  /** The intervals in the range; when `more`, only the first {@link COUNT_UP_TO} of an unforced request. */
  intervals: RunInterval[];
  more: boolean;
  maxActiveRuns: number;
  reprocess: ReprocessBehavior;
}

/**
 * Checks a backfill request and lists the intervals it covers (nothing is written); the run
 * limit is checked by {@link checkBackfillSize}, so a dry run can show a count above it.
 */
export async function planBackfill(store: Store, req: BackfillRequest): Promise<BackfillPlan> {
  const version = await requireDagVersion(store, req.dagId);
  const spec = version.spec;
  if (req.to < req.from) throw new InvalidInputError(`to (${new Date(req.to).toISOString()}) is before from (${new Date(req.from).toISOString()})`);
  const reprocess = req.reprocess ?? "none";
  if (!REPROCESS_BEHAVIORS.includes(reprocess)) throw new InvalidInputError(`reprocess "${reprocess}" is not one of: ${REPROCESS_BEHAVIORS.join(", ")}`);
  const maxActiveRuns = req.maxActiveRuns ?? spec.maxActiveRuns;
  if (!Number.isInteger(maxActiveRuns) || maxActiveRuns < 1) throw new InvalidInputError("maxActiveRuns must be a positive integer");
  resolveParams(spec.paramsSchema, spec.paramsDefaults, req.conf ?? {});
  if (spec.schedule.kind === "none" || spec.schedule.kind === "once") {
    throw new InvalidInputError(`DAG ${req.dagId} has no recurring schedule to backfill; trigger runs with a logical date instead`);
  }
  const timetable = timetableOf(spec);
  if (req.force) return { intervals: intervalsInRange(timetable, req.from, req.to), more: false, maxActiveRuns, reprocess };
  return { ...firstIntervalsInRange(timetable, req.from, req.to, COUNT_UP_TO), maxActiveRuns, reprocess };
}

/** Throws when an unforced plan holds more than {@link MAX_BACKFILL_RUNS} runs, saying how many and how to force it. */
export function checkBackfillSize(req: BackfillRequest, plan: BackfillPlan): void {
  if (req.force || plan.intervals.length <= MAX_BACKFILL_RUNS) return;
  const count = plan.more ? `more than ${plan.intervals.length}` : String(plan.intervals.length);
  throw new InvalidInputError(
    `the range ${new Date(req.from).toISOString()} – ${new Date(req.to).toISOString()} covers ${count} scheduled intervals of ${req.dagId}, one run each: ` +
      `more than the limit of ${MAX_BACKFILL_RUNS} runs per backfill. Check from and to, or force it ("force": true in the API, --force in the CLI).`,
  );
}

/** Records a backfill; the scheduler creates and runs its runs. */
export async function createBackfill(store: Store, req: BackfillRequest): Promise<BackfillRecord> {
  const plan = await planBackfill(store, req);
  checkBackfillSize(req, plan);
  return store.createBackfill({
    dagId: req.dagId,
    fromDate: req.from,
    toDate: req.to,
    reprocess: plan.reprocess,
    maxActiveRuns: plan.maxActiveRuns,
    conf: req.conf ?? {},
  });
}
