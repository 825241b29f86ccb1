import { loadConfig, withholdSecretKey } from "../../config/config.js";
import { withDagPolling } from "../../api/polling-change-feed.js";
import { apiDeps } from "../api-deps.js";
import { openRuntime, type CommonOptions } from "../runtime.js";
import type { BuiltSchedulerParts } from "../scheduler-parts.js";
import { redactDatabaseUrl, untilSignalled, workersBanner } from "../serving-process.js";
import { lateChangeFeed } from "../late-change-feed.js";
import { batonVersion } from "../baton-version.js";
import { loadAlertConfig } from "../../config/alert-config.js";
import { loadLineageConfig } from "../../config/lineage-config.js";
import { loadNotificationConfig } from "../../config/notification-config.js";
import { LastInfraError } from "../../core/ports/infra-errors.js";
import { PrometheusMetrics } from "../../metrics/index.js";
import { refuseLocalModeOffLoopback } from "./listen-address.js";
import { metricsBanner, serveMetricsPort } from "./metrics-port.js";
import { API_PORT_HINT, assertPortFree, METRICS_PORT_HINT, portError } from "./port-free.js";
import { serveApi } from "./serve-api.js";
import { openWorkerHub } from "../worker-hub.js";

/**
 * `baton standalone`: everything in one process on the embedded database — the DAG folder
 * watcher, the scheduler, a pool of warm worker processes, and the API and UI on 127.0.0.1.
 * Stops gracefully on SIGTERM/SIGINT. Refuses a non-loopback host in local mode, and a taken port
 * (exit 2, nothing started). The API and UI answer before the DAG folder is loaded (DAGs appear as
 * their files load); the scheduler starts, and the banner says "is running", once it is.
 */
export async function standalone(opts: CommonOptions): Promise<number> {
  const wanted = loadConfig(opts);
  refuseLocalModeOffLoopback(wanted.apiHost, wanted.standaloneAuth);
  // A taken port stops the start before anything runs: never a scheduler without its API.
  await assertPortFree(wanted.apiHost, wanted.apiPort, API_PORT_HINT);
  if (wanted.metricsPort !== null) await assertPortFree(wanted.metricsHost, wanted.metricsPort, METRICS_PORT_HINT);
  const rt = await openRuntime(opts, { quiet: false });
  const { config, store } = rt;
  // A wrong BATON_ALERT_ROUTES, OPENLINEAGE_* or BATON_NOTIFY_* value stops the start before anything listens.
  loadAlertConfig(config);
  loadLineageConfig();
  loadNotificationConfig();
  // The API answers before the scheduler's modules are even loaded (issue 13: start fast): what it
  // shares with them is made here — the metrics, the pool's infrastructure errors, a change feed
  // the scheduler is attached to once built — and `wake` reaches the scheduler once there is one.
  let scheduler: { wake(): void } | null = null;
  const wake = (): void => scheduler?.wake();
  // Remote workers (before anything runs: a wrong BATON_WORKER_* stops the start); the hub shares
  // rt.remoteSignal() with the scheduler's remote executor, in this one process.
  const workerHub = await openWorkerHub(rt, wake);
  withholdSecretKey(); // in `config` now; task runners must not inherit it (buildSchedulerParts does it again)
  const metrics = new PrometheusMetrics({ process: "standalone", version: batonVersion() });
  const infraErrors = new LastInfraError();
  const events = lateChangeFeed();
  const mode = config.standaloneAuth;
  // The scheduler's events cover runs and tasks; DAG changes made elsewhere (`baton dags pause`) come from a poll.
  const changes = withDagPolling(events.feed, store, 1_000, () => Date.now());
  const deps = apiDeps({ config, store, changes, mode, wake, infraErrors, metrics });
  let served: Awaited<ReturnType<typeof serveApi>>;
  let metricsPort: Awaited<ReturnType<typeof serveMetricsPort>>;
  try {
    // Taken since the check above (a race): stop what started rather than run headless.
    served = await serveApi(store, { ...deps, workerHub }, config.apiHost, config.apiPort);
    metricsPort = await serveMetricsPort(config, metrics).catch(async (error: unknown) => {
      await served.app.close();
      throw portError(error, config.metricsHost, config.metricsPort ?? 0, METRICS_PORT_HINT);
    });
  } catch (error) {
    metrics.close();
    await rt.close();
    throw error;
  }
  const { app, url } = served;
  process.stdout.write(`Baton standalone: UI and API at ${url}; loading the DAGs folder ${config.dagsDir}…\n`);
  let parts: BuiltSchedulerParts | null = null;
  let first;
  try {
    // The scheduler, its worker pool, the DAG folder's loader, triggers, alerts: loaded now.
    const { buildSchedulerParts } = await import("../scheduler-parts.js");
    parts = await buildSchedulerParts(rt, "standalone", { metrics, infraErrors });
    events.attach(parts.scheduler);
    scheduler = parts.scheduler;
    first = await parts.start();
  } catch (error) {
    // The scheduler may not start (another one holds this SQLite file): nothing is left running.
    await app.close();
    await metricsPort?.close();
    if (parts !== null) await parts.stop(0);
    else metrics.close();
    await rt.close();
    throw error;
  }
  const running = parts;
  process.stdout.write(
    `Baton standalone is running.\n` +
      `  DAGs folder: ${config.dagsDir} (${first.dagIds.length} DAG(s) loaded, ${first.errors.length} file error(s))\n` +
      `  Database:    ${redactDatabaseUrl(config.databaseUrl)}\n` +
      `  Logs:        ${config.logsDir}\n` +
      `  Workers:     ${workersBanner(config.workers)}\n` +
      `  UI and API:  ${url}  (${mode === "local" ? "local mode: no sign-in needed from this machine" : "sign-in required"})\n` +
      metricsBanner(metricsPort, url.split(", ")[0] ?? null) +
      `Press Ctrl+C to stop.\n`,
  );
  for (const e of first.errors) process.stderr.write(`DAG file error: ${e.file}${e.line ? `:${e.line}` : ""}: ${e.message}\n`);

  return untilSignalled(async (signal) => {
    process.stdout.write(`Received ${signal}: stopping (running tasks get ${config.shutdownGraceMs / 1000}s to finish)…\n`);
    await app.close();
    await metricsPort?.close();
    await running.stop(config.shutdownGraceMs);
    await rt.close();
  });
}
