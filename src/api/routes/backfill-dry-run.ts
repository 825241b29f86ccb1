import type { FastifyInstance } from "fastify";
import { InvalidInputError, NotFoundError } from "../../core/errors.js";
import type { ReprocessBehavior, RunRecord } from "../../core/model/records.js";
import { MAX_BACKFILL_RUNS } from "../../core/timetable/timetable.js";
import type { RouteDeps } from "../api-deps.js";
import { parseDateField } from "../date-field.js";
import { requireDag } from "../lookups.js";
import { arrayOf, bool, errors, idParam, int, obj, str, stringEnum, time } from "../schemas/json-schema.js";
import { iso } from "../views/iso.js";

interface DryRunQuery {
  dagId: string;
  from: string;
  to: string;
  reprocess?: ReprocessBehavior;
  maxActiveRuns?: number;
  force?: boolean;
}

type Action = "create" | "rerun" | "keep";

/** What the scheduler's backfill planner does with an interval (scheduler/backfill-planner.ts). */
function actionFor(reprocess: ReprocessBehavior, existing: RunRecord | undefined): Action {
  if (!existing) return "create";
  if (existing.state === "queued" || existing.state === "running") return "keep";
  if (reprocess === "completed" || (reprocess === "failed" && existing.state === "failed")) return "rerun";
  return "keep";
}

const runsShown = MAX_BACKFILL_RUNS;

const previewSchema = obj({
  dagId: str,
  from: time,
  to: time,
  reprocess: stringEnum(["none", "failed", "completed"]),
  maxActiveRuns: int,
  count: { type: "integer", description: "Scheduled intervals in the range (when `more`, the count stopped there)." },
  more: { type: "boolean", description: "The range holds more intervals than `count` (an unforced request stops counting at 10,000)." },
  needsForce: { type: "boolean", description: `Creating it would be refused without force (more than ${MAX_BACKFILL_RUNS} runs).` },
  runs: arrayOf(
    obj({
      logicalDate: time,
      dataIntervalStart: time,
      dataIntervalEnd: time,
      action: {
        ...stringEnum(["create", "rerun", "keep"]),
        description: "create: a new run; rerun: an existing finished run cleared and run again (per reprocess); keep: an existing run left as it is.",
      },
      existingRunId: { type: ["string", "null"] },
      existingState: { type: ["string", "null"], enum: ["queued", "running", "success", "failed", null] },
    }),
  ),
});

/**
 * `GET /api/v1/backfills/dry-run`: the runs a backfill would create or re-run, nothing written
 * (Airflow 3's backfill dry run). Lists at most the first 1,000 intervals.
 */
export function dryRunRoute(app: FastifyInstance, deps: RouteDeps, dateText: Record<string, unknown>): void {
  const { store } = deps;
  app.get<{ Querystring: DryRunQuery }>(
    "/api/v1/backfills/dry-run",
    {
      config: { role: "viewer" },
      schema: {
        tags: ["backfills"],
        summary: "What a backfill would do, writing nothing: its intervals, and for each whether a run is created, re-run or kept",
        querystring: obj(
          {
            dagId: idParam,
            from: dateText,
            to: dateText,
            reprocess: { ...stringEnum(["none", "failed", "completed"]), default: "none" },
            maxActiveRuns: { type: "integer", minimum: 1, maximum: 10_000, description: "Default: the DAG's maxActiveRuns." },
            force: { ...bool, default: false },
          },
          ["reprocess", "maxActiveRuns", "force"],
        ),
        response: { 200: previewSchema, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      if (!deps.planBackfill) throw new NotFoundError("backfill dry runs are not available on this server");
      const q = request.query;
      const tz = (await requireDag(store, q.dagId)).version.spec.timezone;
      const from = parseDateField("from", q.from, tz);
      const to = parseDateField("to", q.to, tz);
      if (to < from) throw new InvalidInputError(`to: ${q.to} is before from (${q.from})`);
      const plan = await deps.planBackfill({
        dagId: q.dagId,
        from,
        to,
        reprocess: q.reprocess ?? "none",
        maxActiveRuns: q.maxActiveRuns ?? null,
        conf: {},
        force: q.force ?? false,
      });
      const shown = plan.intervals.slice(0, runsShown);
      const existing = new Map<number, RunRecord>();
      const last = shown.at(-1);
      if (last) {
        for (const r of await store.listRuns({ dagId: q.dagId, logicalDateFrom: from, logicalDateTo: last.logicalDate, limit: 1_000_000 })) {
          if (r.logicalDate !== null && !existing.has(r.logicalDate)) existing.set(r.logicalDate, r); // newest first, as the planner
        }
      }
      return {
        dagId: q.dagId,
        from: iso(from),
        to: iso(to),
        reprocess: plan.reprocess,
        maxActiveRuns: plan.maxActiveRuns,
        count: plan.intervals.length,
        more: plan.more,
        needsForce: !(q.force ?? false) && (plan.more || plan.intervals.length > MAX_BACKFILL_RUNS),
        runs: shown.map((i) => {
          const found = existing.get(i.logicalDate);
          return {
            logicalDate: iso(i.logicalDate),
            dataIntervalStart: iso(i.dataIntervalStart),
            dataIntervalEnd: iso(i.dataIntervalEnd),
            action: actionFor(plan.reprocess, found),
            existingRunId: found?.runId ?? null,
            existingState: found?.state ?? null,
          };
        }),
      };
    },
  );
}
