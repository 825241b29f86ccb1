import type { FastifyInstance } from "fastify";
import type { RouteDeps } from "../api-deps.js";
import { arrayOf, bool, errors, int, nullableInt, nullableStr, obj, ref, str, stringEnum, time } from "../schemas/json-schema.js";
import { buildOverview } from "../views/overview-view.js";

const tags = ["health"];
const level = { ...stringEnum(["ok", "warning", "critical", "inactive"]), description: "How much it matters: `inactive` for what stopped cleanly." };
const when = { type: "string", format: "date-time" } as const;
const nullableCount = { ...nullableInt, description: "null when this server does not know it." };

const ComponentSchema = {
  $id: "OverviewComponent",
  ...obj({
    kind: stringEnum(["scheduler", "api", "triggerer", "dag-processor", "worker", "store", "disk"]),
    id: str,
    name: str,
    state: {
      ...str,
      description:
        "Schedulers, workers, triggerer, DAG processor: `healthy`, `late` (missed heartbeats), `lost` or `stopped` (see docs/ui.md#home for the thresholds). Store: `ok` or `unavailable`. Disk: `ok`, `low`, `full` or `unknown`.",
    },
    level,
    version: nullableStr,
    lastHeartbeat: { ...time, description: "Schedulers: the lease's last beat (their clock); workers: last heard from (the API server's clock)." },
    startedAt: time,
    detail: nullableStr,
    load: {
      ...obj({ dags: int, queuedRuns: int, runningRuns: int }),
      type: ["object", "null"],
      description: "Schedulers: the DAGs they own and those DAGs' unfinished runs.",
    },
    running: { ...nullableInt, description: "Workers: attempts held as of the last heartbeat." },
    concurrency: nullableInt,
  }),
};

const runSummary = obj({ dagId: str, runId: str, state: str, runType: str, startedAt: time, endedAt: time });

const overviewSchema = obj({
  generatedAt: when,
  level: { ...stringEnum(["ok", "warning", "critical"]), description: "The worst component's level." },
  components: arrayOf(ref("OverviewComponent")),
  runs: obj({
    since: { ...when, description: "Failures are counted from here (24 hours ago)." },
    queued: nullableCount,
    running: nullableCount,
    failed: int,
    recentFailed: { ...arrayOf(runSummary), description: "The newest failed runs since `since` (up to 5)." },
    recentRunning: { ...arrayOf(runSummary), description: "The newest running runs (up to 5)." },
  }),
  missedDeadlines: {
    ...obj({
      count: int,
      more: { ...bool, description: "More than `count` (counted up to 100)." },
      items: arrayOf(obj({ id: int, dagId: str, runId: str, taskId: nullableStr, description: str, dueAt: when, detectedAt: when })),
    }),
    type: ["object", "null"],
    description: "Detected in the last 24 hours; null when this server has no deadline store.",
  },
  anomalies: {
    ...obj({
      count: int,
      items: arrayOf(
        obj({ id: int, dagId: str, runId: str, taskId: str, metric: str, value: { type: "number" }, median: { type: "number" }, detectedAt: when }),
      ),
    }),
    type: ["object", "null"],
    description: "Detected in the last 24 hours; null when this server has no anomaly store.",
  },
  importErrors: obj({ count: int, items: arrayOf(obj({ file: str, line: nullableInt, message: str, at: time })) }),
  pools: {
    ...arrayOf(obj({ name: str, slots: int, queuedSlots: int, runningSlots: int, openSlots: int, full: bool })),
    description: "Pools with at least 80 % of their slots taken, fullest first.",
  },
  queues: {
    ...arrayOf(obj({ queue: str, queued: int, running: int, workers: int })),
    type: ["array", "null"],
    description: "Remote workers' queues (as GET /api/v1/workers); null without remote workers.",
  },
  taskInstances: obj({ queued: int, running: int }),
});

/** `GET /api/v1/overview`: the home page's answer to "is everything OK?" (docs/ui.md#home). Read-only. */
export async function overviewRoutes(app: FastifyInstance, deps: RouteDeps): Promise<void> {
  app.addSchema(ComponentSchema);
  app.get(
    "/api/v1/overview",
    {
      config: { role: "viewer" },
      schema: {
        tags,
        summary: "Health of every component (schedulers, API server, triggerer, DAG processor, workers, store, disk) and what needs attention now",
        response: { 200: overviewSchema, ...errors(401, 403) },
      },
    },
    async () => buildOverview(deps),
  );
}
