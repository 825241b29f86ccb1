import type { EpochMs } from "../../core/model/records.js";
import type { RemoteAttemptEnd } from "../../core/model/workers.js";
import type { Clock } from "../../core/ports/clock.js";
import type { WorkerStore } from "../../core/ports/worker-store.js";

export interface StartedReport {
  attemptId: string;
  workerId: string;
  startedAt: EpochMs;
  pid: number | null;
}

interface Pending<T> {
  item: T;
  /** Told whether the store accepted it (assigned to that worker and not finished). */
  done(accepted: boolean): void;
}

/** How long a batch the store could not take waits before it is tried again. */
export const RETRY_MS = 1_000;

/**
 * Records workers' `started` and `finished` reports in batches: everything that arrives in one
 * event-loop turn (and while the previous batch is being written) goes to the store in one
 * markRemoteStarted and one finishRemoteAttempts call, starts first, so a start and an end of
 * the same attempt keep their order. One batch at a time; a batch the store refused (database
 * unavailable) is tried again after {@link RETRY_MS}. `afterBatch` runs once every item's `done`
 * was called, so the caller can send what it gathered in one message per worker.
 */
export class ReportBatcher {
  #starts: Pending<StartedReport>[] = [];
  #ends: Pending<RemoteAttemptEnd>[] = [];
  #scheduled = false;
  #writing = false;
  #cancelRetry: (() => void) | null = null;
  #closed = false;

  constructor(
    private readonly store: Pick<WorkerStore, "markRemoteStarted" | "finishRemoteAttempts">,
    private readonly clock: Clock,
    private readonly hooks: { afterBatch(): void; failed(error: unknown): void },
  ) {}

  started(item: StartedReport, done: (accepted: boolean) => void): void {
    this.#starts.push({ item, done });
    this.#schedule();
  }

  finished(item: RemoteAttemptEnd, done: (accepted: boolean) => void): void {
    this.#ends.push({ item, done });
    this.#schedule();
  }

  /** Drops what waits; a batch being written completes. */
  close(): void {
    this.#closed = true;
    this.#cancelRetry?.();
    this.#starts = [];
    this.#ends = [];
  }

  #schedule(): void {
    if (this.#scheduled || this.#writing || this.#cancelRetry !== null || this.#closed) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#write();
    });
  }

  async #write(): Promise<void> {
    if (this.#closed) return;
    const starts = this.#starts.splice(0);
    const ends = this.#ends.splice(0);
    if (starts.length === 0 && ends.length === 0) return;
    this.#writing = true;
    let failed = false;
    try {
      if (starts.length > 0) {
        const accepted = new Set(await this.store.markRemoteStarted(starts.map((s) => s.item)));
        starts.splice(0).forEach((s) => s.done(accepted.has(s.item.attemptId)));
      }
      if (ends.length > 0) {
        const accepted = new Set(await this.store.finishRemoteAttempts(ends.map((e) => e.item)));
        ends.splice(0).forEach((e) => e.done(accepted.has(e.item.attemptId)));
      }
    } catch (error) {
      failed = true;
      this.hooks.failed(error);
      // What was not written goes first next time (starts before ends, as they came).
      this.#starts.unshift(...starts);
      this.#ends.unshift(...ends);
    } finally {
      this.#writing = false;
    }
    this.hooks.afterBatch();
    if (failed) {
      this.#cancelRetry = this.clock.setTimer(RETRY_MS, () => {
        this.#cancelRetry = null;
        this.#schedule();
      });
    } else if (this.#starts.length > 0 || this.#ends.length > 0) {
      this.#schedule();
    }
  }
}
