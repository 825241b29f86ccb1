import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ApiDeps } from "../api/server.js";
import type { BatonConfig } from "../config/config.js";
import type { ChangeFeed } from "../core/ports/change-feed.js";
import { systemClock } from "../core/ports/clock.js";
import type { InfraErrors } from "../core/ports/infra-errors.js";
import type { MetricsExposition } from "../core/ports/metrics.js";
import type { SecretsResolver } from "../core/ports/secrets-resolver.js";
import { createBackfill, planBackfill } from "../scheduler/requests/create-backfill.js";
import { triggerRun } from "../scheduler/requests/trigger-run.js";
import type { FullStore } from "../store/index.js";
import { loadWorkerHubConfig } from "../config/worker-hub-config.js";
import { batonVersion } from "./baton-version.js";
import { probeConnection } from "./commands/connections.js";
import { configuredValueStore } from "./value-store.js";
import { openSecretsResolver, openSecretVault } from "./runtime.js";

/** The built UI (dist/ui), when it exists. */
export function uiDir(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  const root = here.includes(`${join("dist", "src")}`) ? join(here, "..", "..", "..") : join(here, "..", "..");
  const dir = join(root, "dist", "ui");
  return existsSync(join(dir, "index.html")) ? dir : undefined;
}

/** Everything the API server needs, built from the composition root's parts. */
export function apiDeps(opts: {
  config: BatonConfig;
  store: FullStore;
  changes: ChangeFeed;
  mode: "local" | "required";
  wake?: () => void;
  /** Webhook secrets (variables `webhook_secret_<dagId>`); default: the environment, then this store. */
  secrets?: SecretsResolver;
  /** The in-process executor's infrastructure failures (standalone), for `/health`. */
  infraErrors?: InfraErrors;
  /** What `GET /metrics` serves (docs/metrics.md). */
  metrics?: MetricsExposition;
}): ApiDeps {
  const { store, wake } = opts;
  let vault: ReturnType<typeof openSecretVault> | undefined;
  return {
    store,
    inbox: store,
    auth: store,
    audit: store,
    auditRetention: { days: opts.config.auditRetentionDays, clock: systemClock },
    datasets: store,
    deadlines: store.deadlines,
    anomalies: store.anomalies,
    search: store.catalog,
    notifications: store.notifications,
    callbacks: store.callbacks,
    workers: store.workers,
    retention: store.retention,
    // Over the given store, the resolver owns nothing to close.
    secrets: opts.secrets ?? openSecretsResolver(opts.config, store).resolver,
    // The key is loaded on the first request that needs it, as the resolver does.
    secretsAdmin: { vault: () => (vault ??= openSecretVault(opts.config, store)), env: opts.config.secretEnv, check: probeConnection },
    changes: opts.changes,
    leases: store,
    // The home page (docs/ui.md#home): counts, and components judged by the timings they run with.
    overview: store.overview,
    trends: store.trends,
    liveness: { schedulerHeartbeatMs: opts.config.schedulerHeartbeatMs, schedulerLeaseMs: opts.config.schedulerLeaseMs, ...workerTimings() },
    version: batonVersion(),
    storeAvailability: store.availability,
    mode: opts.mode,
    logsDir: opts.config.logsDir,
    values: configuredValueStore(opts.config, opts.secrets ?? openSecretsResolver(opts.config, store).resolver),
    homeDir: opts.config.home,
    ...(opts.infraErrors ? { infraErrors: opts.infraErrors } : {}),
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    triggerRun: async (dagId, req, now) => {
      const run = await triggerRun(store, dagId, req, now); // req.triggeredBy: the request's actor
      wake?.();
      return run;
    },
    createBackfill: async (req, now) => {
      void now;
      const b = await createBackfill(store, req);
      wake?.();
      return b;
    },
    planBackfill: (req) => planBackfill(store, req),
    wake,
    uiDir: uiDir(),
    cookieSecure: opts.config.cookieSecure,
    trustProxy: opts.config.trustProxy,
    // The request log (pino JSON on stderr, BATON_LOG_LEVEL), credentials redacted (docs/audit.md#the-server-log).
    logger: { level: opts.config.logLevel, stream: process.stderr },
  };
}

/** BATON_WORKER_HEARTBEAT_MS and BATON_WORKER_LOST_MS as the worker hub reads them (a wrong value stops the hub's start first). */
function workerTimings(): { workerHeartbeatMs: number; workerLostMs: number } {
  const { heartbeatMs, lostAfterMs } = loadWorkerHubConfig();
  return { workerHeartbeatMs: heartbeatMs, workerLostMs: lostAfterMs };
}
