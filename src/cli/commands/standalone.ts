import { loadConfig } from "../../config/config.js";
import { withDagPolling } from "../../api/polling-change-feed.js";
import { apiDeps } from "../api-deps.js";
import { openRuntime, type CommonOptions } from "../runtime.js";
import { buildSchedulerParts, redactDatabaseUrl, untilSignalled, workersBanner } from "../scheduler-parts.js";
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
  // Remote workers (before anything runs: a wrong BATON_WORKER_* stops the start); the hub shares
  // rt.remoteSignal() with the scheduler's remote executor, in this one process.
  let wakeScheduler = (): void => {};
  const workerHub = await openWorkerHub(rt, () => wakeScheduler());
  const parts = await buildSchedulerParts(rt, "standalone");
  const { scheduler } = parts;
  wakeScheduler = () => scheduler.wake();
  const mode = config.standaloneAuth;
  // The scheduler's events cover runs and tasks; DAG changes made elsewhere (`baton dags pause`) come from a poll.
  const changes = withDagPolling(scheduler, store, 1_000, () => Date.now());
  const deps = apiDeps({ config, store, changes, mode, wake: () => scheduler.wake(), infraErrors: parts.infraErrors, metrics: parts.metrics });
  let served: Awaited<ReturnType<typeof serveApi>>;
  let metricsPort: Awaited<ReturnType<typeof serveMetricsPort>>;
  try {
    // Taken since the check above (a race): stop what started rather than run headless.
    served = await serveApi(store, { ...deps, workerHub }, config.apiHost, config.apiPort);
    metricsPort = await serveMetricsPort(config, parts.metrics).catch(async (error: unknown) => {
      await served.app.close();
      throw portError(error, config.metricsHost, config.metricsPort ?? 0, METRICS_PORT_HINT);
    });
  } catch (error) {
    await parts.stop(0);
    await rt.close();
    throw error;
  }
  const { app, url } = served;
  process.stdout.write(`Baton standalone: UI and API at ${url}; loading the DAGs folder ${config.dagsDir}…\n`);
  let first;
  try {
    first = await parts.start();
  } catch (error) {
    // The scheduler may not start (another one holds this SQLite file): nothing is left running.
    await app.close();
    await metricsPort?.close();
    await parts.stop(0);
    await rt.close();
    throw error;
  }
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
    await parts.stop(config.shutdownGraceMs);
    await rt.close();
  });
}
