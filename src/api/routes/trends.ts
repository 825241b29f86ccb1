import type { FastifyInstance } from "fastify";
import { InvalidInputError, NotFoundError } from "../../core/errors.js";
import type { RunRecord, TaskInstanceRecord } from "../../core/model/records.js";
import { zoneDay, zoneDayStart } from "../../core/model/zone-days.js";
import type { RouteDeps } from "../api-deps.js";
import { requireDag } from "../lookups.js";
import { pageRuns } from "../run-pages.js";
import { arrayOf, errors, idParam, int, nullableInt, obj, str, stringEnum, time } from "../schemas/json-schema.js";
import { durationMs, iso } from "../views/iso.js";

const DAY_MS = 86_400_000;

const taskPoint = {
  ...obj({ state: str, tryNumber: int, durationMs: nullableInt }),
  type: ["object", "null"],
  description: "The chosen task in this run (mapped: all its instances, the highest try, first start to last end); null when it has no instance.",
};

const trendsSchema = obj({
  timeZone: { ...str, description: "The DAG's time zone (its `timezone`, IANA name): the days below are its local days." },
  since: { type: "string", format: "date-time", description: "Start (instant, UTC) of the first local day counted in `days`." },
  firstDay: { type: "string", format: "date", description: "The first local day counted, YYYY-MM-DD." },
  today: { type: "string", format: "date", description: "Today in the DAG's time zone, YYYY-MM-DD: the last day counted." },
  days: {
    ...arrayOf(
      obj({
        date: { type: "string", format: "date", description: "Local day, in the DAG's time zone, of the run's logical date (creation time without one)." },
        success: int,
        failed: int,
        other: { ...int, description: "Queued or running." },
      }),
    ),
    description: "Days with runs only, oldest first.",
  },
  tasks: { ...arrayOf(str), description: "Task ids of the DAG's latest version." },
  runs: {
    ...arrayOf(
      obj({
        runId: str,
        state: stringEnum(["queued", "running", "success", "failed"]),
        logicalDate: time,
        startedAt: time,
        endedAt: time,
        durationMs: nullableInt,
        landingMs: { ...nullableInt, description: "End time minus logical date: how late the run's result landed." },
        task: taskPoint,
      }),
    ),
    description: "The newest-created runs, by logical date (creation time without one), oldest first.",
  },
});

/** GET /api/v1/dags/{dagId}/trends: the DAG page's Trends tab (docs/ui.md#trends). */
export async function trendsRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.get<{ Params: { dagId: string }; Querystring: { days: number; runs: number; task?: string } }>(
    "/api/v1/dags/:dagId/trends",
    {
      config: { role: "viewer" },
      schema: {
        tags: ["runs"],
        summary:
          "Daily run outcomes over the last `days` days of the DAG's time zone, and durations, lateness and one task's tries over the newest `runs` runs",
        params: obj({ dagId: idParam }),
        querystring: {
          type: "object",
          properties: {
            days: { type: "integer", minimum: 1, maximum: 366, default: 365 },
            runs: { type: "integer", minimum: 1, maximum: 100, default: 50 },
            task: { ...idParam, description: "A task id of the DAG: adds `task` to each run." },
          },
        },
        response: { 200: trendsSchema, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      if (deps.trends === undefined) throw new NotFoundError("trends are not available on this server");
      const { version } = await requireDag(deps.store, request.params.dagId);
      const taskIds = version.spec.tasks.map((t) => t.taskId);
      const { days: dayCount, runs: runCount, task } = request.query;
      if (task !== undefined && !taskIds.includes(task))
        throw new InvalidInputError(`DAG ${version.dagId} has no task "${task}"; its tasks: ${taskIds.join(", ")}`);
      // Days are the DAG's local days (its `timezone`, as its schedule): a run at 23:00 in New York is on that day, not the next UTC one.
      const timeZone = version.spec.timezone;
      const today = zoneDay(deps.now(), timeZone);
      const since = zoneDayStart(today - dayCount + 1, timeZone);
      const days = await deps.trends.dailyRunOutcomes(version.dagId, since, timeZone);
      const page = await pageRuns(deps.store, { dagId: version.dagId }, { limit: runCount, beforeId: undefined });
      const tis = task === undefined ? [] : (await deps.store.listTaskInstancesForRuns(page.runs.map((r) => r.id))).filter((ti) => ti.taskId === task);
      return {
        timeZone,
        since: new Date(since).toISOString(),
        firstDay: dateOf(today - dayCount + 1),
        today: dateOf(today),
        days: days.map((d) => ({ date: dateOf(d.day), success: d.success, failed: d.failed, other: d.other })),
        tasks: taskIds,
        // The newest-created runs; a backfill creates older logical dates later, so order by the date the charts show.
        runs: page.runs
          .sort((x, y) => (x.logicalDate ?? x.createdAt) - (y.logicalDate ?? y.createdAt) || x.id - y.id)
          .map((r) => runPoint(r, task === undefined ? undefined : tis.filter((ti) => ti.runPk === r.id))),
      };
    },
  );
}

/** `YYYY-MM-DD` of a day number (days since 1970-01-01). */
function dateOf(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

function runPoint(r: RunRecord, instances: TaskInstanceRecord[] | undefined) {
  return {
    runId: r.runId,
    state: r.state,
    logicalDate: iso(r.logicalDate),
    startedAt: iso(r.startedAt),
    endedAt: iso(r.endedAt),
    durationMs: durationMs(r.startedAt, r.endedAt),
    landingMs: r.logicalDate === null || r.endedAt === null ? null : r.endedAt - r.logicalDate,
    task: instances === undefined ? null : taskTrend(instances),
  };
}

function taskTrend(instances: TaskInstanceRecord[]) {
  const one = instances.find((ti) => ti.mapIndex === -1) ?? instances[0];
  if (one === undefined) return null;
  const group = one.mapIndex === -1 ? [one] : instances;
  const starts = group.map((ti) => ti.startedAt).filter((t): t is number => t !== null);
  const ends = group.map((ti) => ti.endedAt);
  const allEnded = ends.every((t) => t !== null);
  return {
    state: one.state,
    tryNumber: Math.max(...group.map((ti) => ti.tryNumber)),
    durationMs: starts.length > 0 && allEnded ? Math.max(...(ends as number[])) - Math.min(...starts) : null,
  };
}
