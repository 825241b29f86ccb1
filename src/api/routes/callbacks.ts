import type { FastifyInstance } from "fastify";
import { NotFoundError } from "../../core/errors.js";
import type { CallbackRecord } from "../../core/ports/callback-store.js";
import type { RouteDeps } from "../api-deps.js";
import { arrayOf, errors, idParam, int, nullableStr, obj, str, stringEnum, time } from "../schemas/json-schema.js";

const tags = ["callbacks"];

const Firing = obj({
  dagId: str,
  runId: str,
  taskId: { ...nullableStr, description: "null for a DAG-level (run) callback." },
  mapIndex: int,
  tryNumber: { ...int, description: "The try it is about; 0 for a run or a task instance that never ran." },
  event: {
    ...str,
    description:
      "failure, success, retry, execute, skipped, deadline_missed, anomaly:<metric>; a run's end is `success@<run start ms>` or `failure@<run start ms>`.",
  },
  status: stringEnum(["running", "ok", "failed", "timed_out"]),
  message: { ...nullableStr, description: "Each function that failed or timed out, `<name>: <error>`, one per line; null when all went well." },
  claimedBy: { ...str, description: "The scheduler that fired it." },
  claimedAt: time,
  finishedAt: time,
});

interface ListQuery {
  dagId?: string;
  runId?: string;
  limit: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function firingView(r: CallbackRecord): Record<string, unknown> {
  return {
    dagId: r.dagId,
    runId: r.runId,
    taskId: r.taskId,
    mapIndex: r.mapIndex,
    tryNumber: r.tryNumber,
    event: r.event,
    status: r.status,
    message: r.message,
    claimedBy: r.claimedBy,
    claimedAt: iso(r.claimedAt),
    finishedAt: iso(r.finishedAt),
  };
}

/** The callback log (docs/alerts.md#callbacks): each firing of a DAG's or task's callbacks and how it went. Read-only. */
export async function callbackRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.get<{ Querystring: ListQuery }>(
    "/api/v1/callbacks",
    {
      config: { role: "viewer" },
      schema: {
        tags,
        summary: "Callback firings, newest first, with their status and the errors of failed or timed-out functions",
        querystring: obj(
          {
            dagId: { ...idParam, description: "Only this DAG's." },
            runId: { type: "string", minLength: 1, maxLength: 250, description: "Only this run's." },
            limit: { type: "integer", minimum: 1, maximum: 500, default: 50 },
          },
          ["dagId", "runId", "limit"],
        ),
        response: { 200: obj({ callbacks: arrayOf(Firing) }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { callbacks } = deps;
      if (callbacks === undefined) throw new NotFoundError("the callback log is not available on this server");
      const q = request.query;
      const rows = await callbacks.listCallbacks({
        ...(q.dagId === undefined ? {} : { dagId: q.dagId }),
        ...(q.runId === undefined ? {} : { runId: q.runId }),
        limit: q.limit,
      });
      return { callbacks: rows.map(firingView) };
    },
  );
}
