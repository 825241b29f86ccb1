import type { FastifyInstance } from "fastify";
import { NotFoundError } from "../../core/errors.js";
import { NOTIFIER_KINDS } from "../../core/alerts/check-notifier-declaration.js";
import { DELIVERY_STATES, type DeliveryState, type NotificationDelivery } from "../../core/ports/notification-store.js";
import type { RouteDeps } from "../api-deps.js";
import { decodeCursor, encodeCursor } from "../cursor.js";
import { arrayOf, errors, idParam, int, nullableStr, obj, str, stringEnum, time } from "../schemas/json-schema.js";

const tags = ["notifications"];

const Delivery = obj({
  id: int,
  notifier: stringEnum(NOTIFIER_KINDS),
  connection: { ...str, description: "The connection id the notifier uses." },
  target: { ...str, description: "Where it goes, without secrets (a host, `host → recipients`, `host PROJECT`); the connection id before the first attempt." },
  dagId: str,
  runId: str,
  taskId: { ...nullableStr, description: "null for a run-level alert." },
  event: stringEnum(["failure", "success", "retry", "execute", "skipped", "deadline_missed", "recovered", "retry_succeeded", "anomaly"]),
  severity: stringEnum(["critical", "error", "warning", "info"]),
  dedupKey: { ...str, description: "The incident: the same for a failure and its recovery." },
  summary: { ...str, description: "What the message says, in one line." },
  state: stringEnum(DELIVERY_STATES),
  attempts: { ...int, description: "Attempts made so far." },
  lastError: { ...nullableStr, description: "Why the last attempt failed (secrets masked); null once delivered." },
  nextAttemptAt: { ...time, description: "When a pending delivery is tried next; null once it ended." },
  externalRef: {
    ...nullableStr,
    description: "The service's id for it: a Jira issue key, an Opsgenie request id, PagerDuty's dedup_key, an e-mail's Message-ID.",
  },
  createdAt: time,
  updatedAt: time,
  deliveredAt: time,
});

interface ListQuery {
  dagId?: string;
  state?: DeliveryState[];
  limit: number;
  cursor?: string;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A delivery as the API shows it: no declaration options, no alert body, no secrets. */
export function deliveryView(d: NotificationDelivery): Record<string, unknown> {
  return {
    id: d.id,
    notifier: d.notifier,
    connection: d.connection,
    target: d.target,
    dagId: d.dagId,
    runId: d.runId,
    taskId: d.taskId,
    event: d.event,
    severity: d.severity,
    dedupKey: d.dedupKey,
    summary: d.summary,
    state: d.state,
    attempts: d.attempts,
    lastError: d.lastError,
    nextAttemptAt: iso(d.nextAttemptAt),
    externalRef: d.externalRef,
    createdAt: iso(d.createdAt),
    updatedAt: iso(d.updatedAt),
    deliveredAt: iso(d.deliveredAt),
  };
}

/** Notification deliveries (docs/alerts.md#notifiers): read-only; the scheduler's outbox records them. */
export async function notificationRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.get<{ Querystring: ListQuery }>(
    "/api/v1/notifications",
    {
      config: { role: "viewer" },
      schema: {
        tags,
        summary: "Notification deliveries, newest first, with their state, attempts and last error",
        querystring: obj(
          {
            dagId: { ...idParam, description: "Only this DAG's." },
            state: {
              type: "array",
              items: stringEnum(DELIVERY_STATES),
              maxItems: 3,
              description: "Only these states (repeat the parameter: `state=failed&state=pending`).",
            },
            limit: { type: "integer", minimum: 1, maximum: 500, default: 50 },
            cursor: { type: "string", maxLength: 100, description: "The previous page's nextCursor." },
          },
          ["dagId", "state", "limit", "cursor"],
        ),
        response: { 200: obj({ deliveries: arrayOf(Delivery), nextCursor: { type: ["string", "null"] } }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const { notifications } = deps;
      if (notifications === undefined) throw new NotFoundError("notifications are not available on this server");
      const q = request.query;
      const beforeId = decodeCursor(q.cursor);
      const rows = await notifications.listDeliveries({
        ...(q.dagId === undefined ? {} : { dagId: q.dagId }),
        ...(q.state === undefined ? {} : { states: [...new Set(q.state)] }),
        ...(beforeId === undefined ? {} : { beforeId }),
        limit: q.limit + 1,
      });
      const page = rows.slice(0, q.limit);
      const last = page.at(-1);
      return { deliveries: page.map(deliveryView), nextCursor: rows.length > q.limit && last ? encodeCursor(last.id) : null };
    },
  );
}
