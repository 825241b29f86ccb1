import type { FastifyInstance } from "fastify";
import { NotFoundError } from "../../core/errors.js";
import type { RouteDeps } from "../api-deps.js";
import { decodeCursor, encodeCursor } from "../cursor.js";
import { parseDateField } from "../date-field.js";
import { arrayOf, errors, idParam, int, nullableStr, obj, str, time } from "../schemas/json-schema.js";
import { missedDeadlineView } from "../views/missed-deadline-view.js";

const tags = ["deadlines"];

const MissedDeadline = obj({
  id: int,
  dagId: str,
  runId: str,
  taskId: { ...nullableStr, description: "null for a run's deadline; the task for an attempt past its expectedDuration." },
  mapIndex: { ...int, description: "-1 for a run's deadline or an unmapped task." },
  tryNumber: { ...int, description: "The late attempt's try; 0 for a run's deadline." },
  deadline: {
    ...str,
    description: "Which deadline, in words: `logicalDate + 2h`, `queuedAt + 30m`, `fixed 2027-01-01T06:00:00.000Z + 0s`, `expectedDuration 10m`.",
  },
  dueAt: { ...time, description: "When the run (attempt) had to be finished by." },
  detectedAt: { ...time, description: "When the miss was detected and recorded." },
});

interface ListQuery {
  dagId?: string;
  since?: string;
  limit: number;
  cursor?: string;
}

/** Missed deadlines (docs/deadlines.md): read-only; the scheduler's deadline watcher records them. */
export async function deadlineRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.get<{ Querystring: ListQuery }>(
    "/api/v1/deadlines/missed",
    {
      config: { role: "viewer" },
      schema: {
        tags,
        summary: "Missed deadlines, newest first",
        querystring: obj(
          {
            dagId: { ...idParam, description: "Only this DAG's." },
            since: { type: "string", maxLength: 40, description: "Only those detected at or after this ISO 8601 date-time (or YYYY-MM-DD, midnight UTC)." },
            limit: { type: "integer", minimum: 1, maximum: 500, default: 50 },
            cursor: { type: "string", maxLength: 100, description: "The previous page's nextCursor." },
          },
          ["dagId", "since", "limit", "cursor"],
        ),
        response: { 200: obj({ missed: arrayOf(MissedDeadline), nextCursor: { type: ["string", "null"] } }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { deadlines } = deps;
      if (deadlines === undefined) throw new NotFoundError("missed deadlines are not available on this server");
      const q = request.query;
      const since = q.since === undefined ? undefined : parseDateField("since", q.since, "UTC");
      const beforeId = decodeCursor(q.cursor);
      const rows = await deadlines.listMissedDeadlines({
        ...(q.dagId === undefined ? {} : { dagId: q.dagId }),
        ...(since === undefined ? {} : { since }),
        ...(beforeId === undefined ? {} : { beforeId }),
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return { missed: page.map(missedDeadlineView), nextCursor: rows.length > q.limit && last ? encodeCursor(last.id) : null };
    },
  );
}
