import { existsSync, mkdirSync } from "node:fs";
import { systemClock } from "../../core/ports/clock.js";
import { DagSync } from "../../dag-processor/dag-sync.js";
import { LocalProcessExecutor } from "../../executor/local-process-executor.js";
import { StoreDagRunsGateway } from "../../scheduler/requests/store-dag-runs-gateway.js";
import { Scheduler } from "../../scheduler/scheduler.js";
import { LocalTriggerer } from "../../triggerer/local-triggerer.js";
import { TriggerManager } from "../../triggers/index.js";
import { apiDeps } from "../api-deps.js";
import { loadConfig, withholdSecretKey } from "../../config/config.js";
import { openOutputSealer, openRuntime, openSecretsResolver, type CommonOptions } from "../runtime.js";
import { refuseLocalModeOffLoopback } from "./listen-address.js";
import { serveApi } from "./serve-api.js";

/**
 * `baton standalone`: everything in one process on the embedded database — the DAG folder
 * watcher, the scheduler, a pool of warm worker processes, and the API and UI on 127.0.0.1.
 * Stops gracefully on SIGTERM/SIGINT. Refuses a non-loopback host in local mode (exit 2).
 */
export async function standalone(opts: CommonOptions): Promise<number> {
  const wanted = loadConfig(opts);
  refuseLocalModeOffLoopback(wanted.apiHost, wanted.standaloneAuth);
  const rt = await openRuntime(opts, { quiet: false });
  const { config, store, logger } = rt;
  if (!existsSync(config.dagsDir)) mkdirSync(config.dagsDir, { recursive: true });
  const secrets = openSecretsResolver(config, store);
  withholdSecretKey(); // in `config` now; task runners must not inherit it
  // Cross-DAG operators: a run they trigger (or clear) wakes the scheduler instead of waiting for its poll.
  const dagRuns = new StoreDagRunsGateway({ store, clock: systemClock, wake: () => scheduler.wake() });
  const executor = new LocalProcessExecutor({ processes: config.workers, prefetch: config.prefetch, logger, secrets: secrets.resolver, dagRuns });
  const scheduler = new Scheduler({
    store,
    inbox: store,
    datasets: store,
    executor,
    // Deferred sensors wait here, in the scheduler's process, holding no worker slot.
    triggerer: new LocalTriggerer({ clock: systemClock, logger, secrets: secrets.resolver, dagRuns }),
    // Sensitive tasks' return values are stored encrypted with the connections' key.
    sealer: openOutputSealer(config),
    clock: systemClock,
    logger,
    options: { logsDir: config.logsDir, maxOutputBytes: config.maxOutputBytes, pollMs: config.pollMs },
  });
  const sync = new DagSync(store, { dagsDir: config.dagsDir, bundleDir: config.bundleDir, timeoutMs: config.dagFileTimeoutMs, memoryMb: config.dagFileMemoryMb, logger });
  const first = await sync.syncOnce();
  await scheduler.start();
  sync.start(() => scheduler.wake());
  // Event triggers (files, messages): each event becomes a run, stored before the event is acknowledged.
  const triggers = new TriggerManager({ store, secrets: secrets.resolver, clock: systemClock, logger, wake: () => scheduler.wake() });
  await triggers.start();
  const mode = config.standaloneAuth;
  const { app, url } = await serveApi(store, apiDeps({ config, store, changes: scheduler, mode, wake: () => scheduler.wake() }), config.apiHost, config.apiPort);
  const database = config.databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
  process.stdout.write(
    `Baton standalone is running.\n` +
      `  DAGs folder: ${config.dagsDir} (${first.dagIds.length} DAG(s) loaded, ${first.errors.length} file error(s))\n` +
      `  Database:    ${database}\n` +
      `  Logs:        ${config.logsDir}\n` +
      `  Workers:     ${config.workers} process(es)\n` +
      `  UI and API:  ${url}  (${mode === "local" ? "local mode: no sign-in needed from this machine" : "sign-in required"})\n` +
      `Press Ctrl+C to stop.\n`,
  );
  for (const e of first.errors) process.stderr.write(`DAG file error: ${e.file}${e.line ? `:${e.line}` : ""}: ${e.message}\n`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        process.stderr.write("Forced exit.\n");
        process.exit(130);
      }
      stopping = true;
      process.stdout.write(`Received ${signal}: stopping (running tasks get ${config.shutdownGraceMs / 1000}s to finish)…\n`);
      sync.stop();
      void triggers
        .stop()
        .then(() => app.close())
        .then(() => scheduler.stop(config.shutdownGraceMs))
        .then(() => rt.close())
        .then(() => {
          process.stdout.write("Baton stopped.\n");
          resolve(0);
        });
    };
    process.on("SIGTERM", () => stop("SIGTERM"));
    process.on("SIGINT", () => stop("SIGINT"));
  });
}
