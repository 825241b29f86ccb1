import type { AnomalyRecord } from "../../core/anomaly/anomaly.js";
import { DEFAULT_THRESHOLDS, evaluate, type AnomalyThresholds } from "../../core/anomaly/robust-baseline.js";
import type { DomainEvent } from "../../core/model/domain-events.js";
import type { AnomalyStore } from "../../core/ports/anomaly-store.js";
import type { Clock } from "../../core/ports/clock.js";
import type { AttemptReport, AttemptRequest, Executor, ExecutorListener } from "../../core/ports/executor.js";
import type { Logger } from "../../core/ports/logger.js";

/** Past values read per metric: enough for three weeks of hourly runs (the weekday and hour-of-week seasons). */
export const HISTORY_LIMIT = 500;
/** Successful attempts remembered between the worker's report and the scheduler's success event, and checks waiting. */
const MAX_PENDING = 10_000;

interface Finished {
  dagId: string;
  runId: string;
  runPk: number;
  taskId: string;
  mapIndex: number;
  tryNumber: number;
  startedAt: number;
  endedAt: number;
  metrics: Record<string, number>;
}

export interface AnomalyDetectorOptions {
  anomalies: AnomalyStore;
  clock: Clock;
  logger: Logger;
  thresholds?: AnomalyThresholds;
  /** Called once per anomaly recorded (by this process: its insert won). */
  onAnomaly?: (anomaly: AnomalyRecord) => void;
}

/**
 * Anomaly detection off the scheduler's path (docs/anomalies.md). `observe` wraps the executor to
 * keep each successful attempt's start, end and `ctx.metric` values from the worker's report; the
 * domain-event `listener` (O(1)) queues a check when the scheduler has recorded the attempt's
 * success. The check, one at a time in the background, stores the values (duration in seconds
 * included), reads each metric's history, and records an anomaly for a value far outside its
 * robust baseline.
 */
export class AnomalyDetector {
  readonly #o: AnomalyDetectorOptions;
  readonly #thresholds: AnomalyThresholds;
  readonly #requests = new Map<string, AttemptRequest>();
  readonly #finished = new Map<string, Finished>();
  readonly #queue: Finished[] = [];
  #draining: Promise<void> | null = null;
  #stopped = false;

  constructor(options: AnomalyDetectorOptions) {
    this.#o = options;
    this.#thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
  }

  /** The executor, reporting successful attempts' values to this detector too. */
  observe(executor: Executor): Executor {
    const remember = <V>(map: Map<string, V>, key: string, value: V) => {
      if (map.size >= MAX_PENDING) map.delete(map.keys().next().value as string);
      map.set(key, value);
    };
    const wrapped: Executor = {
      get capacity() {
        return executor.capacity;
      },
      start: (listener: ExecutorListener) =>
        executor.start({
          started: (id, at, pid, worker) => listener.started(id, at, pid, worker),
          finished: (report: AttemptReport) => {
            const request = this.#requests.get(report.attemptId);
            this.#requests.delete(report.attemptId);
            if (request !== undefined && report.outcome.kind === "success") {
              remember(this.#finished, report.attemptId, {
                dagId: request.context.dagId,
                runId: request.context.runId,
                runPk: request.runPk,
                taskId: request.taskId,
                mapIndex: request.mapIndex,
                tryNumber: request.tryNumber,
                startedAt: report.startedAt,
                endedAt: report.endedAt,
                metrics: report.outcome.metrics ?? {},
              });
            }
            listener.finished(report);
          },
        }),
      submit: (request) => {
        remember(this.#requests, request.attemptId, request);
        executor.submit(request);
      },
      cancel: (id, reason) => executor.cancel(id, reason),
      shutdown: (graceMs) => executor.shutdown(graceMs),
    };
    if (executor.capacityFor) wrapped.capacityFor = (queue) => executor.capacityFor!(queue);
    if (executor.stagingFor) wrapped.stagingFor = (queue) => executor.stagingFor!(queue);
    if (executor.keepAlive) wrapped.keepAlive = (ms) => executor.keepAlive!(ms);
    if (executor.runCallback) wrapped.runCallback = (r) => executor.runCallback!(r);
    return wrapped;
  }

  /** The domain-event subscriber: O(1), never waits. */
  readonly listener = (event: DomainEvent): void => {
    if (event.kind !== "attempt_state_changed" || event.before === null) return;
    const key = `${event.runPk}/${event.taskId}/${event.mapIndex}/${event.tryNumber}`;
    const finished = this.#finished.get(key);
    if (finished === undefined) return;
    if (event.after === "running" || event.after === "queued" || event.after === "deferred") return;
    this.#finished.delete(key);
    if (event.after !== "success" || this.#stopped) return;
    if (this.#queue.length >= MAX_PENDING) {
      this.#o.logger.warn({ dagId: finished.dagId, taskId: finished.taskId }, "anomaly detection: too many checks waiting; this attempt is not checked");
      return;
    }
    this.#queue.push(finished);
    this.#draining ??= this.#drain().finally(() => (this.#draining = null));
  };

  /** Resolves when no check is waiting or running. */
  async idle(): Promise<void> {
    while (this.#draining !== null) await this.#draining;
  }

  /** Takes no new checks; waits for the queued ones up to `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.#stopped = true;
    let cancel = () => {};
    await Promise.race([this.idle(), new Promise<void>((resolve) => (cancel = this.#o.clock.setTimer(graceMs, resolve)))]);
    cancel();
  }

  async #drain(): Promise<void> {
    for (let job = this.#queue.shift(); job !== undefined; job = this.#queue.shift()) {
      try {
        await this.#check(job);
      } catch (err) {
        this.#o.logger.warn({ err, dagId: job.dagId, taskId: job.taskId, runId: job.runId }, "anomaly detection: check failed");
      }
    }
  }

  async #check(f: Finished): Promise<void> {
    const { anomalies } = this.#o;
    const values = { duration: Math.max(0, f.endedAt - f.startedAt) / 1000, ...f.metrics };
    const ref = { dagId: f.dagId, runId: f.runId, runPk: f.runPk, taskId: f.taskId, mapIndex: f.mapIndex, tryNumber: f.tryNumber };
    await anomalies.recordAttemptMetrics({ ...ref, at: f.startedAt, values });
    for (const [metric, value] of Object.entries(values)) {
      const history = await anomalies.metricHistory({ dagId: f.dagId, taskId: f.taskId, metric, before: f.startedAt, limit: HISTORY_LIMIT });
      // Durations are in seconds: a second's wobble is never an anomaly.
      const t = metric === "duration" ? { ...this.#thresholds, absoluteMadFloor: Math.max(1, this.#thresholds.absoluteMadFloor) } : this.#thresholds;
      const e = evaluate(value, f.startedAt, history, t);
      if (!e.anomalous) continue;
      const { median, mad, points, season } = e.baseline;
      const record = await anomalies.recordAnomaly({ ...ref, metric, value, median, mad, score: e.score, points, season, detectedAt: this.#o.clock.now() });
      if (record === undefined) continue;
      this.#o.logger.warn(
        { dagId: f.dagId, runId: f.runId, taskId: f.taskId, metric, value, median, mad, score: Number(e.score.toFixed(2)), points, season },
        "anomaly: value far outside its baseline",
      );
      this.#o.onAnomaly?.(record);
    }
  }
}
