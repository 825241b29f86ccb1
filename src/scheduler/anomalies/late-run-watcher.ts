import type { AnomalyRecord } from "../../core/anomaly/anomaly.js";
import { baselineFor, DEFAULT_THRESHOLDS, robustZ, type AnomalyThresholds } from "../../core/anomaly/robust-baseline.js";
import type { DomainEvent } from "../../core/model/domain-events.js";
import type { AnomalyStore } from "../../core/ports/anomaly-store.js";
import type { Clock } from "../../core/ports/clock.js";
import type { Logger } from "../../core/ports/logger.js";
import type { Store } from "../../core/ports/store.js";
import { HISTORY_LIMIT } from "./anomaly-detector.js";

/** The run-level metric: seconds from a scheduled run's data interval end to its success. */
export const LANDING = "landing";
/** Run-level rows use task id '' (like missed deadlines). */
const RUN = { taskId: "", mapIndex: -1, tryNumber: 0 } as const;

export interface LateRunWatcherOptions {
  store: Pick<Store, "getRunById">;
  anomalies: AnomalyStore;
  clock: Clock;
  logger: Logger;
  thresholds?: AnomalyThresholds;
  onAnomaly?: (anomaly: AnomalyRecord) => void;
}

interface Watched {
  done: boolean;
  cancel?: () => void;
}

/**
 * Late runs (docs/anomalies.md#late-runs): each scheduled run's landing (seconds from its data
 * interval end to its success) is stored as the run-level metric `landing`; when a scheduled run
 * starts, a timer is set for the landing time at which its score would reach the threshold
 * (median + zThreshold·MAD'/0.6745 after its data interval end, with at least `minPoints` past
 * landings); if the run has not ended by then, an anomaly is recorded. The domain-event listener
 * is O(1); store reads and writes run one at a time in the background.
 */
export class LateRunWatcher {
  readonly #o: LateRunWatcherOptions;
  readonly #t: AnomalyThresholds;
  readonly #watched = new Map<number, Watched>();
  #chain: Promise<void> = Promise.resolve();
  #pending = 0;
  #stopped = false;

  constructor(options: LateRunWatcherOptions) {
    this.#o = options;
    // Landings are in seconds: a second's wobble is never late.
    const t = options.thresholds ?? DEFAULT_THRESHOLDS;
    this.#t = { ...t, absoluteMadFloor: Math.max(1, t.absoluteMadFloor) };
  }

  readonly listener = (event: DomainEvent): void => {
    if (event.kind !== "run_state_changed" || this.#stopped) return;
    const { runPk } = event;
    if (event.after === "running") {
      if (this.#watched.has(runPk) || this.#watched.size >= 10_000) return;
      const w: Watched = { done: false };
      this.#watched.set(runPk, w);
      this.#enqueue(() => this.#watch(runPk, w));
      return;
    }
    const w = this.#watched.get(runPk);
    if (w !== undefined) {
      w.done = true;
      w.cancel?.();
      this.#watched.delete(runPk);
    }
    if (event.after === "success") this.#enqueue(() => this.#land(runPk, event.at));
  };

  /** Resolves when no store work is waiting or running. */
  async idle(): Promise<void> {
    while (this.#pending > 0) await this.#chain;
  }

  /** Cancels the timers; waits for the store work queued up to `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.#stopped = true;
    for (const w of this.#watched.values()) {
      w.done = true;
      w.cancel?.();
    }
    this.#watched.clear();
    let cancel = () => {};
    await Promise.race([this.idle(), new Promise<void>((resolve) => (cancel = this.#o.clock.setTimer(graceMs, resolve)))]);
    cancel();
  }

  #enqueue(work: () => Promise<void>): void {
    this.#pending++;
    this.#chain = this.#chain
      .then(work)
      .catch((err: unknown) => this.#o.logger.warn({ err }, "late-run detection: a check failed"))
      .finally(() => this.#pending--);
  }

  async #land(runPk: number, endedAt: number): Promise<void> {
    const run = await this.#o.store.getRunById(runPk);
    if (run === undefined || run.runType !== "scheduled" || run.dataIntervalEnd === null) return;
    const values = { [LANDING]: (endedAt - run.dataIntervalEnd) / 1000 };
    await this.#o.anomalies.recordAttemptMetrics({ dagId: run.dagId, runId: run.runId, runPk, ...RUN, at: run.dataIntervalEnd, values });
  }

  async #watch(runPk: number, w: Watched): Promise<void> {
    const run = await this.#o.store.getRunById(runPk);
    if (w.done || run === undefined || run.runType !== "scheduled" || run.dataIntervalEnd === null) return this.#forget(runPk, w);
    const intervalEnd = run.dataIntervalEnd;
    const history = await this.#o.anomalies.metricHistory({ dagId: run.dagId, taskId: "", metric: LANDING, before: intervalEnd, limit: HISTORY_LIMIT });
    if (w.done || history.length < this.#t.minPoints) return this.#forget(runPk, w);
    const b = baselineFor(history, intervalEnd, this.#t);
    const dueAt = intervalEnd + (b.median + (this.#t.zThreshold * b.madUsed) / 0.6745) * 1000;
    w.cancel = this.#o.clock.setTimer(Math.max(0, dueAt - this.#o.clock.now()), () => {
      if (w.done) return;
      this.#forget(runPk, w);
      this.#enqueue(async () => {
        const now = this.#o.clock.now();
        const value = (now - intervalEnd) / 1000;
        const { median, mad, madUsed, points, season } = b;
        const record = await this.#o.anomalies.recordAnomaly({
          dagId: run.dagId,
          runId: run.runId,
          runPk,
          ...RUN,
          metric: LANDING,
          value,
          median,
          mad,
          score: robustZ(value, median, madUsed),
          points,
          season,
          detectedAt: now,
        });
        if (record === undefined) return;
        this.#o.logger.warn(
          { dagId: run.dagId, runId: run.runId, landingSeconds: value, median, mad, points, season },
          "anomaly: run not finished by its usual landing time",
        );
        this.#o.onAnomaly?.(record);
      });
    });
  }

  #forget(runPk: number, w: Watched): void {
    if (this.#watched.get(runPk) === w) this.#watched.delete(runPk);
  }
}
