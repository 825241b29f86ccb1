import type { FastifyInstance } from "fastify";
import type { AnomalyRecord } from "../../core/anomaly/anomaly.js";
import { NotFoundError } from "../../core/errors.js";
import type { RouteDeps } from "../api-deps.js";
import { decodeCursor, encodeCursor } from "../cursor.js";
import { parseDateField } from "../date-field.js";
import { arrayOf, errors, idParam, int, nullableStr, obj, str, stringEnum, time } from "../schemas/json-schema.js";
import { iso } from "../views/iso.js";

const tags = ["anomalies"];
const num = { type: "number" } as const;
const DAY = 86_400_000;

const Anomaly = obj({
  id: int,
  dagId: str,
  runId: str,
  taskId: { ...nullableStr, description: "null for a run-level anomaly (a late run)." },
  mapIndex: { ...int, description: "-1 unless a copy of a mapped task." },
  tryNumber: { ...int, description: "0 for a run-level anomaly." },
  metric: {
    ...str,
    description: "`duration` (seconds), a name the task reported with `ctx.metric`, or `landing` (a late run: seconds from its data interval end).",
  },
  value: { ...num, description: "The attempt's value." },
  baseline: obj({
    median: num,
    mad: { ...num, description: "Median absolute deviation of the baseline's points (before the floor)." },
    points: { ...int, description: "Past values the baseline was computed from." },
    season: {
      ...stringEnum(["none", "hour_of_week", "weekday", "hour_of_day"]),
      description: "The subset of the history used (UTC); `none`: the last points.",
    },
  }),
  score: { ...num, description: "Robust z-score: 0.6745·(value − median)/max(MAD, floors)." },
  detectedAt: time,
});

export function anomalyView(a: AnomalyRecord) {
  return {
    id: a.id,
    dagId: a.dagId,
    runId: a.runId,
    taskId: a.taskId === "" ? null : a.taskId,
    mapIndex: a.mapIndex,
    tryNumber: a.tryNumber,
    metric: a.metric,
    value: a.value,
    baseline: { median: a.median, mad: a.mad, points: a.points, season: a.season },
    score: a.score,
    detectedAt: iso(a.detectedAt),
  };
}

interface ListQuery {
  dagId?: string;
  since?: string;
  limit: number;
  cursor?: string;
}

const since = { type: "string", maxLength: 40, description: "Only those detected at or after this ISO 8601 date-time (or YYYY-MM-DD, midnight UTC)." };

/** Anomalies found in tasks' run history (docs/anomalies.md): read-only; the scheduler's detector records them. */
export async function anomalyRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  const store = () => {
    if (deps.anomalies === undefined) throw new NotFoundError("anomalies are not available on this server");
    return deps.anomalies;
  };

  app.get<{ Querystring: ListQuery }>(
    "/api/v1/anomalies",
    {
      config: { role: "viewer" },
      schema: {
        tags,
        summary: "Anomalies, newest first",
        querystring: obj(
          {
            dagId: { ...idParam, description: "Only this DAG's." },
            since,
            limit: { type: "integer", minimum: 1, maximum: 500, default: 50 },
            cursor: { type: "string", maxLength: 100, description: "The previous page's nextCursor." },
          },
          ["dagId", "since", "limit", "cursor"],
        ),
        response: { 200: obj({ anomalies: arrayOf(Anomaly), nextCursor: { type: ["string", "null"] } }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const q = request.query;
      const from = q.since === undefined ? undefined : parseDateField("since", q.since, "UTC");
      const beforeId = decodeCursor(q.cursor);
      const rows = await store().listAnomalies({
        ...(q.dagId === undefined ? {} : { dagId: q.dagId }),
        ...(from === undefined ? {} : { since: from }),
        ...(beforeId === undefined ? {} : { beforeId }),
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return { anomalies: page.map(anomalyView), nextCursor: rows.length > q.limit && last ? encodeCursor(last.id) : null };
    },
  );

  app.get<{ Querystring: { since?: string } }>(
    "/api/v1/anomalies/counts",
    {
      config: { role: "viewer" },
      schema: {
        tags,
        summary: "Anomalies per DAG since a time (the UI's badges)",
        querystring: obj({ since: { ...since, description: `${since.description} Default: 7 days ago.` } }, ["since"]),
        response: {
          200: obj({
            since: time,
            total: int,
            counts: { type: "object", additionalProperties: int, description: "DAG id → anomalies; DAGs without any are absent." },
          }),
          ...errors(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const from = request.query.since === undefined ? deps.now() - 7 * DAY : parseDateField("since", request.query.since, "UTC");
      const counts = await store().countAnomaliesByDag(from);
      return { since: iso(from), total: Object.values(counts).reduce((a, b) => a + b, 0), counts };
    },
  );
}
