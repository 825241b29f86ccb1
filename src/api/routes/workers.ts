import type { FastifyInstance } from "fastify";
import { NotFoundError } from "../../core/errors.js";
import type { WorkerStore } from "../../core/ports/worker-store.js";
import type { RouteDeps } from "../api-deps.js";
import { parseDateField } from "../date-field.js";
import { arrayOf, errors, int, nullableStr, obj, ref, str, stringEnum, time } from "../schemas/json-schema.js";
import { workersOverview } from "../views/worker-views.js";

const tags = ["workers"];
/** Lost and stopped workers are listed this long by default. */
const DAY_MS = 86_400_000;

const WorkerAttemptSchema = {
  $id: "WorkerAttempt",
  ...obj({
    attemptId: str,
    dagId: str,
    runId: str,
    taskId: str,
    mapIndex: int,
    tryNumber: int,
    state: { ...stringEnum(["queued", "assigned", "running", "finished"]), description: "`assigned`: sent to the worker, not started yet." },
    startedAt: { ...time, description: "null until the worker started it." },
  }),
};

const WorkerSchema = {
  $id: "Worker",
  ...obj({
    id: { ...str, description: "Chosen by the worker at start (`host:pid:random`); one per process start." },
    name: { ...str, description: "`--name`, or the host name." },
    host: str,
    pid: int,
    queues: arrayOf(str),
    concurrency: { ...int, description: "Attempts it runs at once (`--concurrency`)." },
    running: { ...int, description: "Attempts it holds (assigned or running) as of its last heartbeat." },
    version: { ...str, description: "Baton's version on the worker." },
    state: stringEnum(["active", "draining", "lost", "stopped"]),
    startedAt: time,
    lastSeenAt: { ...time, description: "The API server's clock at the worker's last message or heartbeat." },
    stateChangedAt: { ...time, description: "When it was declared lost, stopped or began draining." },
    reason: { ...nullableStr, description: "Why it is lost or stopped." },
    tokenId: str,
    tokenName: { ...nullableStr, description: "The worker token's name; null if the token no longer exists." },
    attempts: { ...arrayOf(ref("WorkerAttempt")), description: "What it holds now (active and draining workers)." },
  }),
};

const QueueSchema = obj({
  queue: str,
  queued: { ...int, description: "Attempts waiting for a worker of this queue." },
  running: { ...int, description: "Attempts assigned to or running on a worker." },
  workers: { ...int, description: "Active workers listening on it; 0 with `queued` > 0 means nothing will run them." },
});

export function requireWorkers(deps: RouteDeps): WorkerStore {
  if (deps.workers === undefined) throw new NotFoundError("remote workers are not available on this server");
  return deps.workers;
}

/** `GET /api/v1/workers`: remote workers, what they run and the queues' depths (docs/workers.md#tokens-and-the-workers-page). Read-only. */
export async function workerRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.addSchema(WorkerAttemptSchema);
  app.addSchema(WorkerSchema);
  app.get<{ Querystring: { since?: string } }>(
    "/api/v1/workers",
    {
      config: { role: "viewer" },
      schema: {
        tags,
        summary: "Remote workers (active and draining ones, then the others seen since `since`), their attempts, and each queue's depth",
        querystring: obj(
          {
            since: {
              type: "string",
              minLength: 1,
              maxLength: 40,
              description:
                "Also list lost and stopped workers last seen at or after this time (default: 24 hours ago): YYYY-MM-DD (midnight UTC) or an ISO 8601 date-time.",
            },
          },
          ["since"],
        ),
        response: { 200: obj({ workers: arrayOf(ref("Worker")), queues: arrayOf(QueueSchema) }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const store = requireWorkers(deps);
      const since = request.query.since === undefined ? deps.now() - DAY_MS : parseDateField("since", request.query.since, "UTC");
      return workersOverview(store, since);
    },
  );
}
