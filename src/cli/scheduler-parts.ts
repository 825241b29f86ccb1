import { existsSync, mkdirSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { CallbackFirer } from "../alerts/callbacks/callback-firer.js";
import { CallbackSweep } from "../alerts/callbacks/callback-sweep.js";
import { loadAlertConfig } from "../config/alert-config.js";
import { callbackLogPaths } from "./callback-log-paths.js";
import { NotificationOutbox } from "../alerts/outbox/notification-outbox.js";
import { loadNotificationConfig } from "../config/notification-config.js";
import { withholdSecretKey } from "../config/config.js";
import { loadLineageConfig } from "../config/lineage-config.js";
import { systemClock } from "../core/ports/clock.js";
import { LastInfraError } from "../core/ports/infra-errors.js";
import { DagTypeWatch } from "./dag-type-watch.js";
import { DagSync, type SyncResult } from "../dag-processor/dag-sync.js";
import { LocalProcessExecutor } from "../executor/local-process-executor.js";
import { RemoteExecutor } from "../remote/remote-executor.js";
import { RoutingExecutor } from "../remote/routing-executor.js";
import { openLineage } from "../lineage/index.js";
import { StoreDagRunsGateway } from "../scheduler/requests/store-dag-runs-gateway.js";
import { Scheduler } from "../scheduler/scheduler.js";
import { loadTracingConfig, TRACING_PACKAGES } from "../config/tracing-config.js";
import { loadOptional } from "../core/optional-module.js";
import { DeadlineWatcher } from "../scheduler/deadlines/deadline-watcher.js";
import { AnomalyDetector } from "../scheduler/anomalies/anomaly-detector.js";
import { LateRunWatcher } from "../scheduler/anomalies/late-run-watcher.js";
import type { AnomalyRecord } from "../core/anomaly/anomaly.js";
import { LocalTriggerer } from "../triggerer/local-triggerer.js";
import { TriggerManager } from "../triggers/index.js";
import { PrometheusMetrics, type BatonProcess } from "../metrics/index.js";
import { batonVersion } from "./baton-version.js";
import { RunRetention } from "./run-retention.js";
import { configuredValueStore, valueOffloading } from "./value-store.js";
import { openOutputSealer, openSecretsResolver, type Runtime } from "./runtime.js";

/** Exit code of a scheduler whose lease was fenced (EX_TEMPFAIL: restart it). */
export const FENCED_EXIT_CODE = 75;

/** A started scheduler and what runs beside it; `stop` ends them in order, gracefully. */
export interface SchedulerParts {
  scheduler: Scheduler;
  /** What the first sync of the DAGs folder found. */
  firstSync: SyncResult;
  /** The worker pool's infrastructure failures (unwritable attempt logs, workers not starting), for `/health`. */
  infraErrors: LastInfraError;
  /** Delivers the notifiers' alerts (docs/alerts.md#notifiers), off the scheduler's path. */
  outbox: NotificationOutbox;
  /** This process's metrics (docs/metrics.md): what `GET /metrics` serves, and the recorder notifiers report to. */
  metrics: PrometheusMetrics;
  stop(graceMs: number): Promise<void>;
}

/** {@link SchedulerParts} built, nothing started yet: `start()` syncs the DAG folder once, then starts them. */
export interface BuiltSchedulerParts extends Omit<SchedulerParts, "firstSync"> {
  /**
   * Loads the DAG folder once, then starts the scheduler and what runs beside it; resolves with
   * what that first sync found. Throws (nothing left running) when the scheduler may not start.
   * `stop` stops what was started, also when this was not called or failed.
   */
  start(): Promise<SyncResult>;
}

/**
 * What a process that serves its API before it builds its scheduler parts (`baton standalone`)
 * made already and hands over: the metrics `GET /metrics` serves, the infrastructure errors
 * `/health` reports.
 */
export interface SharedParts {
  metrics?: PrometheusMetrics;
  infraErrors?: LastInfraError;
}

/** {@link buildSchedulerParts}, then `start()`: what `baton scheduler` runs. */
export async function startSchedulerParts(rt: Runtime, processName: BatonProcess = "scheduler"): Promise<SchedulerParts> {
  const built = await buildSchedulerParts(rt, processName);
  const firstSync = await built.start();
  return { ...built, firstSync };
}

/**
 * The parts every scheduling process builds, in one place (`baton standalone`, `baton
 * scheduler`): the DAG folder sync, the scheduler with its local worker pool (the `default`
 * queue), its remote executor (other queues, through the mailbox) and its triggerer (deferred
 * sensors), and the event triggers — built, not started: `baton standalone` serves its API
 * before `start()` loads the DAG folder (issue 13: the UI answers while DAGs load). `start()`
 * throws (before anything is left running) when the scheduler may not start, e.g. another one
 * holds this SQLite file.
 */
export async function buildSchedulerParts(rt: Runtime, processName: BatonProcess = "scheduler", shared: SharedParts = {}): Promise<BuiltSchedulerParts> {
  const { config, store, logger } = rt;
  const alerting = loadAlertConfig(config); // a wrong BATON_ALERT_ROUTES or BATON_BASE_URL stops the start here
  const lineageConfig = loadLineageConfig(); // a wrong OPENLINEAGE_* value stops the start here
  const notifyConfig = loadNotificationConfig(); // so does a wrong BATON_NOTIFY_* value
  const metrics = shared.metrics ?? new PrometheusMetrics({ process: processName, version: batonVersion() });
  if (!existsSync(config.dagsDir)) mkdirSync(config.dagsDir, { recursive: true });
  const secrets = openSecretsResolver(config, store);
  const values = configuredValueStore(config, secrets.resolver);
  withholdSecretKey(); // in `config` now; task runners must not inherit it
  // Cross-DAG operators: a run they trigger (or clear) wakes the scheduler instead of waiting for its poll.
  const dagRuns = new StoreDagRunsGateway({ store, clock: systemClock, wake: () => scheduler.wake() });
  const infraErrors = shared.infraErrors ?? new LastInfraError();
  // Notifications (docs/alerts.md#notifiers): recorded, then sent and retried in the background; started with the scheduler.
  const outbox = new NotificationOutbox({
    store: store.notifications,
    secrets: secrets.resolver,
    clock: systemClock,
    logger,
    ...notifyConfig,
    // Every failed attempt counts in baton_notifier_failures_total, each delivery in baton_notifier_deliveries_total.
    onDelivery: (kind, outcome) => {
      if (outcome === "delivered" || outcome === "retrying" || outcome === "failed")
        metrics.notifierDelivery(kind, outcome === "delivered" ? "delivered" : "failed");
    },
  });
  // OpenTelemetry traces (docs/tracing.md): off unless the OTEL_* variables turn them on; the SDK loads only then.
  const tracingConfig = loadTracingConfig();
  const tracing =
    tracingConfig === null
      ? null
      : (await loadOptional("Tracing (the OTEL_* variables)", TRACING_PACKAGES, () => import("../tracing/scheduler-tracing.js"))).startSchedulerTracing(
          tracingConfig,
          logger,
        );
  // The local pool serves the `default` queue (with `--workers 0` it has no task processes and runs callbacks only);
  // other queues, and `default` without a pool, go to remote workers through the mailbox (docs/workers.md).
  const executor = new LocalProcessExecutor({ processes: config.workers, prefetch: config.prefetch, logger, secrets: secrets.resolver, dagRuns, infraErrors });
  // This scheduler's lease id, chosen here: its remote attempts' rows carry it.
  const leaseId = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const remote = new RemoteExecutor({
    mailbox: store.workers,
    signal: await rt.remoteSignal(),
    schedulerId: leaseId,
    clock: systemClock,
    logger,
    window: config.remoteWindow,
  });
  const routed = new RoutingExecutor({ local: executor, remote });
  // Anomaly detection (docs/anomalies.md): attempts' values kept from the workers' reports, checked off the scheduler's path.
  // Each anomaly this process recorded fires the DAG's onAnomaly (the firer is built below; anomalies come only once it runs).
  const onAnomaly = (a: AnomalyRecord) => callbacks.fireAnomaly(a);
  const anomalies = new AnomalyDetector({ anomalies: store.anomalies, clock: systemClock, logger, onAnomaly });
  const lateRuns = new LateRunWatcher({ store, anomalies: store.anomalies, clock: systemClock, logger, onAnomaly });
  const triggerer = new LocalTriggerer({ clock: systemClock, logger, secrets: secrets.resolver, dagRuns });
  const scheduler = new Scheduler({
    store,
    inbox: store,
    datasets: store,
    // With tracing on, each attempt carries its span's traceparent to the worker.
    executor: anomalies.observe(tracing === null ? routed : tracing.traced(routed)),
    // Deferred sensors wait here, in the scheduler's process, holding no worker slot.
    triggerer,
    // Sensitive tasks' return values are stored encrypted with the connections' key.
    sealer: openOutputSealer(config),
    // Return values over BATON_VALUE_STORE_THRESHOLD go to BATON_VALUE_STORE, a reference to the database.
    values: valueOffloading(config, values),
    clock: systemClock,
    logger,
    options: {
      logsDir: config.logsDir,
      maxOutputBytes: config.maxOutputBytes,
      pollMs: config.pollMs,
      taskQueuedTimeoutMs: config.taskQueuedTimeoutMs,
      lease: { heartbeatMs: config.schedulerHeartbeatMs, leaseMs: config.schedulerLeaseMs },
      leaseId,
      version: batonVersion(),
    },
    // Runs it recovers (at start, or adopted from a fenced scheduler) have their remote attempts released first.
    remoteAttempts: store.workers,
    // Several schedulers on one database (docs/adr/0007): a lease fences this one's writes.
    leases: store,
    // Fenced: another scheduler adopted this one's work. Its attempts are killed; exit so a supervisor starts it afresh.
    onFenced: () => {
      process.stderr.write("fenced: another scheduler adopted my work; exiting\n");
      process.exit(FENCED_EXIT_CODE);
    },
    metrics,
  });
  const sync = new DagSync(store, {
    dagsDir: config.dagsDir,
    bundleDir: config.bundleDir,
    timeoutMs: config.dagFileTimeoutMs,
    memoryMb: config.dagFileMemoryMb,
    logger,
    metrics,
    bundles: store.workers,
  });
  // Type errors as import warnings (docs/authoring.md): checked in a child process after syncs that changed files.
  const typeWatch = config.dagTypeCheck ? new DagTypeWatch({ dagsDir: config.dagsDir, store, clock: systemClock, logger }) : null;
  // Counted from the scheduler's events from its start; gauges read from these parts at scrape time.
  metrics.observeScheduler(scheduler);
  metrics.observeWorkers(executor);
  metrics.observeDagFiles(sync);
  metrics.observeTriggerer(triggerer);
  // Deadlines (docs/deadlines.md): each miss is recorded once and published as `deadline_missed`.
  const deadlines = new DeadlineWatcher({ store, deadlines: store.deadlines, clock: systemClock, logger, publish: (e) => scheduler.publishDomainEvents([e]) });
  scheduler.onDomainEvent((e) => deadlines.onDomainEvent(e));
  // Callbacks and alert policies (docs/alerts.md): each firing claimed once in the database; user functions run in a worker.
  const callbacks = new CallbackFirer({
    store,
    callbacks: store.callbacks,
    executor,
    outbox,
    routing: alerting.routing,
    links: { baseUrl: alerting.baseUrl },
    logPaths: callbackLogPaths(config.logsDir),
    claimer: `${hostname()}:${process.pid}`,
    clock: systemClock,
    logger,
  });
  scheduler.onDomainEvent(callbacks.listener);
  // Firings lost with the process that committed their change (it died before claiming them): swept and claimed here.
  const callbackSweep =
    alerting.callbackSweepMs > 0
      ? new CallbackSweep({
          store,
          callbacks: store.callbacks,
          fire: (f, retake) => callbacks.fire(f, retake),
          clock: systemClock,
          logger,
          windowMs: alerting.callbackSweepMs,
        })
      : null;
  scheduler.onDomainEvent(anomalies.listener);
  scheduler.onDomainEvent(lateRuns.listener);
  if (tracing !== null) scheduler.onDomainEvent(tracing.listener);
  // OpenLineage (docs/lineage.md): off unless OPENLINEAGE_* says where events go; queued, sent off the scheduler's path.
  const lineage = openLineage(lineageConfig, { store, secrets: secrets.resolver, clock: systemClock, logger, version: batonVersion() });
  if (lineage !== null) scheduler.onDomainEvent(lineage.listener);
  // Event triggers (files, messages): each event becomes a run, stored before the event is acknowledged.
  const triggers = new TriggerManager({ store, secrets: secrets.resolver, clock: systemClock, logger, wake: () => scheduler.wake() });
  // The configured retention (BATON_RUN_RETENTION, docs/storage.md): `db clean` on a schedule, in batches.
  const runRetention =
    config.runRetentionMs === null
      ? null
      : new RunRetention(store.retention, systemClock, logger, {
          olderThanMs: config.runRetentionMs,
          intervalMs: config.runRetentionIntervalMs,
          logsDir: config.logsDir,
          bundleDir: config.bundleDir,
          values,
        });
  let started = false;
  return {
    scheduler,
    infraErrors,
    outbox,
    metrics,
    start: async () => {
      const firstSync = await sync.syncOnce();
      await scheduler.start();
      started = true;
      outbox.start();
      await deadlines.start();
      callbackSweep?.start();
      sync.start(() => {
        scheduler.wake();
        typeWatch?.schedule();
      });
      typeWatch?.schedule();
      await triggers.start();
      runRetention?.start();
      return firstSync;
    },
    stop: async (graceMs) => {
      void sync.stop();
      void typeWatch?.stop();
      deadlines.stop();
      if (!started) {
        await tracing?.shutdown();
        await lineage?.close(5_000);
        metrics.close();
        return;
      }
      await triggers.stop();
      await runRetention?.stop();
      await scheduler.stop(graceMs);
      callbackSweep?.stop();
      await callbacks.stop(5_000);
      await anomalies.stop(5_000);
      await lateRuns.stop(5_000);
      await outbox.stop(5_000);
      await tracing?.shutdown();
      await lineage?.close(5_000);
      metrics.close();
      await values.close();
    },
  };
}

export { redactDatabaseUrl, untilSignalled, workersBanner } from "./serving-process.js";
