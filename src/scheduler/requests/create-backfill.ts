import { InvalidInputError } from "../../core/errors.js";
import type { BackfillRecord, ReprocessBehavior } from "../../core/model/records.js";
import { resolveParams } from "../../core/params/resolve-params.js";
import type { Store } from "../../core/ports/store.js";
import { intervalsInRange, type RunInterval } from "../../core/timetable/timetable.js";
import { timetableOf } from "../scheduled-runs.js";
import { requireDagVersion } from "./trigger-run.js";

export const REPROCESS_BEHAVIORS: ReprocessBehavior[] = ["none", "failed", "completed"];

export interface BackfillRequest {
  dagId: string;
  from: number;
  to: number;
  reprocess?: ReprocessBehavior;
  maxActiveRuns?: number | null;
  conf?: Record<string, unknown>;
}

/** Checks a backfill request and lists the intervals it covers (nothing is written). */
export async function planBackfill(store: Store, req: BackfillRequest): Promise<{ intervals: RunInterval[]; maxActiveRuns: number; reprocess: ReprocessBehavior }> {
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
  return { intervals: intervalsInRange(timetableOf(spec), req.from, req.to), maxActiveRuns, reprocess };
}

/** Records a backfill; the scheduler creates and runs its runs. */
export async function createBackfill(store: Store, req: BackfillRequest): Promise<BackfillRecord> {
  const plan = await planBackfill(store, req);
  return store.createBackfill({
    dagId: req.dagId,
    fromDate: req.from,
    toDate: req.to,
    reprocess: plan.reprocess,
    maxActiveRuns: plan.maxActiveRuns,
    conf: req.conf ?? {},
  });
}
