import { collectDefaultMetrics, Gauge, Registry } from "prom-client";
import type { DomainEventListener } from "../core/model/domain-events.js";
import type { Metrics, MetricsExposition, NotifierOutcome } from "../core/ports/metrics.js";
import { BatonSeries, lazyGauge } from "./baton-series.js";
import { DomainEventRecorder } from "./domain-event-recorder.js";

/** Which `baton` process this is: the `process` label of `baton_build_info`. */
export type BatonProcess = "standalone" | "scheduler" | "api";

/** What a scheduler shows at scrape time (implemented by `Scheduler.gauges()`). */
export interface SchedulerGaugeSource {
  gauges(): {
    ready: number;
    parked: { dagFull: number; poolFull: number };
    pools: readonly { pool: string; used: number; open: number }[];
  };
  onDomainEvent(listener: DomainEventListener): () => void;
}

/** Worker processes now (implemented by `LocalProcessExecutor.workerCounts()`). */
export interface WorkerGaugeSource {
  workerCounts(): { busy: number; idle: number };
}

/** Import errors of the DAG folder as last loaded (implemented by `DagSync`). */
export interface ImportErrorSource {
  readonly importErrors: number;
}

/** Deferred sensors waiting (implemented by the triggerer). */
export interface TriggererSource {
  readonly size: number;
}

/**
 * A process's Prometheus metrics (docs/metrics.md), on a registry of its own: every series is
 * named `baton_…`, including Node's process metrics (`baton_process_…`, `baton_nodejs_…`).
 * `baton api` (process "api") has only those and `baton_build_info`: it schedules nothing.
 * It is the engine's {@link Metrics} recorder, and the {@link MetricsExposition} `GET /metrics`
 * serves. Gauges are read from their sources at scrape time, never pushed.
 *
 * @example
 * const metrics = new PrometheusMetrics({ process: "scheduler", version: "0.1.0" });
 * const scheduler = new Scheduler({ ...deps, metrics });
 * metrics.observeScheduler(scheduler);
 * const text = await metrics.render();
 */
export class PrometheusMetrics implements Metrics, MetricsExposition {
  readonly registry = new Registry();
  /** The engine's series; none in `baton api`, which schedules nothing. */
  readonly #series: BatonSeries | null;
  #unsubscribe: (() => void) | null = null;

  constructor(opts: { process: BatonProcess; version: string; defaultMetrics?: boolean }) {
    if (opts.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: "baton_" });
    const info = new Gauge({
      name: "baton_build_info",
      help: "Always 1: the Baton version and which process (standalone, scheduler, api) serves these metrics.",
      labelNames: ["version", "process"],
      registers: [this.registry],
    });
    info.set({ version: opts.version, process: opts.process }, 1);
    this.#series = opts.process === "api" ? null : new BatonSeries(this.registry);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  // ── the Metrics port ─────────────────────────────────────────────────────────────────────

  schedulerLoop(seconds: number): void {
    this.#series?.schedulerLoop.observe(seconds);
  }

  schedulerCommit(seconds: number, ok: boolean): void {
    this.#series?.schedulerCommit.observe({ outcome: ok ? "ok" : "failed" }, seconds);
  }

  dagFileParsed(seconds: number, ok: boolean): void {
    this.#series?.dagFileParse.observe({ outcome: ok ? "ok" : "error" }, seconds);
  }

  notifierDelivery(kind: string, outcome: NotifierOutcome): void {
    const series = this.#series;
    if (series) (outcome === "delivered" ? series.notifierDeliveries : series.notifierFailures).inc({ kind });
  }

  // ── sources read at scrape time ──────────────────────────────────────────────────────────

  /** Counts and times runs and task instances from the scheduler's domain events; reads its queues and pools when scraped. */
  observeScheduler(scheduler: SchedulerGaugeSource): void {
    if (this.#unsubscribe) throw new Error("PrometheusMetrics.observeScheduler() was already called");
    if (!this.#series) throw new Error("PrometheusMetrics of `baton api` observe no scheduler");
    this.#unsubscribe = scheduler.onDomainEvent(new DomainEventRecorder(this.#series).listener);
    lazyGauge(this.registry, "baton_scheduler_ready_tasks", "Task instances ready to run, waiting for an executor slot.", [], (set) =>
      set({}, scheduler.gauges().ready),
    );
    lazyGauge(
      this.registry,
      "baton_scheduler_parked_tasks",
      "Ready task instances parked until a slot frees, by reason (dag_full: the DAG is at maxActiveTasks; pool_full: the pool has no open slot).",
      ["reason"],
      (set) => {
        const { parked } = scheduler.gauges();
        set({ reason: "dag_full" }, parked.dagFull);
        set({ reason: "pool_full" }, parked.poolFull);
      },
    );
    lazyGauge(
      this.registry,
      "baton_pool_slots",
      "Slots of each pool this scheduler may use, by state (used: held by running attempts; open: free).",
      ["pool", "state"],
      (set) => {
        for (const p of scheduler.gauges().pools) {
          set({ pool: p.pool, state: "used" }, p.used);
          set({ pool: p.pool, state: "open" }, p.open);
        }
      },
    );
  }

  observeWorkers(executor: WorkerGaugeSource): void {
    lazyGauge(
      this.registry,
      "baton_executor_workers",
      "Worker processes of the local executor, by state (busy: running an attempt; idle: ready, running none).",
      ["state"],
      (set) => {
        const { busy, idle } = executor.workerCounts();
        set({ state: "busy" }, busy);
        set({ state: "idle" }, idle);
      },
    );
  }

  observeDagFiles(sync: ImportErrorSource): void {
    lazyGauge(this.registry, "baton_dag_import_errors", "Import errors of the DAG folder's files as last loaded (duplicate DAG ids included).", [], (set) =>
      set({}, sync.importErrors),
    );
  }

  observeTriggerer(triggerer: TriggererSource): void {
    lazyGauge(this.registry, "baton_triggerer_waits", "Deferred sensors waiting in the triggerer.", [], (set) => set({}, triggerer.size));
  }

  /** Stops listening to the scheduler's events. */
  close(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
  }
}
