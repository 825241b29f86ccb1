import { pollingChangeFeed } from "../../api/polling-change-feed.js";
import { PrometheusMetrics } from "../../metrics/index.js";
import { apiDeps } from "../api-deps.js";
import { batonVersion } from "../baton-version.js";
import { serveMetricsPort } from "./metrics-port.js";
import { openRuntime, type CommonOptions } from "../runtime.js";
import { API_PORT_HINT, assertPortFree, METRICS_PORT_HINT } from "./port-free.js";
import { serveApi } from "./serve-api.js";
import { loadConfig } from "../../config/config.js";
import { openWorkerHub } from "../worker-hub.js";

/**
 * `baton api`: the REST API and UI alone, for a deployment where the scheduler runs elsewhere
 * on the same database. Sign-in is always required; live updates come from polling the store.
 */
export async function api(opts: CommonOptions): Promise<number> {
  // A taken port stops the start before the database or the worker hub is opened (exit 2).
  const wanted = loadConfig(opts);
  await assertPortFree(wanted.apiHost, wanted.apiPort, API_PORT_HINT);
  if (wanted.metricsPort !== null) await assertPortFree(wanted.metricsHost, wanted.metricsPort, METRICS_PORT_HINT);
  const rt = await openRuntime(opts, { quiet: false });
  const { config, store } = rt;
  const changes = pollingChangeFeed(store, 1_000, () => Date.now());
  // Process metrics only: the scheduling series come from the scheduler processes (docs/metrics.md).
  const metrics = new PrometheusMetrics({ process: "api", version: batonVersion() });
  // Remote workers connect here (docs/workers.md#worker-channel); the schedulers reach it through the database.
  const workerHub = await openWorkerHub(rt);
  const { app, url } = await serveApi(store, { ...apiDeps({ config, store, changes, mode: "required", metrics }), workerHub }, config.apiHost, config.apiPort);
  const metricsPort = await serveMetricsPort(config, metrics);
  process.stdout.write(`Baton API is running at ${url} (sign-in required). Press Ctrl+C to stop.\n`);
  if (metricsPort) process.stdout.write(`  Metrics: ${metricsPort.url} (no auth)\n`);
  return new Promise<number>((resolve) => {
    const stop = () =>
      void app
        .close()
        .then(() => metricsPort?.close())
        .then(() => rt.close())
        .then(() => resolve(0));
    process.once("SIGTERM", stop);
    process.once("SIGINT", stop);
  });
}
