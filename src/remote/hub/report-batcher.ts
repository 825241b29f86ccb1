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
 * Batches being written at once, by default. One: measured on the bench (2 CPUs, PostgreSQL),
 * two at once made the chain's hop slower and fan-out no faster (more, smaller writes).
 */
export const MAX_WRITES = 1;

/**
 * Records workers' `started` and `finished` reports in batches: everything that arrives in one
 * event-loop turn (and while the previous batch is being written) goes to the store in one
 * markRemoteStarted and one finishRemoteAttempts call, starts first, so a start and an end of
 * the same attempt keep their order. A start whose end is in the same batch is not written on
 * its own: the end records both (finishRemoteAttempts accepts an attempt still `assigned` and
 * writes its `startedAt`), and the start's `done` gets the end's answer.
 *
 * With `startedDelayMs` > 0 a start waits that long (on the clock) before it is written, so a
 * short attempt's start and end usually go in one write instead of two; {@link hurry} writes
 * waiting starts at once (a `secret` or `dagRuns` request needs its attempt recorded as started).
 * A start not yet written is, for a lost worker, like one that never reached a server (the
 * attempt ends `infra_failed` and a new, uncounted try runs; docs/adr/0008).
 *
 * Up to `maxWrites` batches (default {@link MAX_WRITES}) are written at once, never two holding
 * the same attempt: a report of an attempt in a batch being written waits for the
 * next one, so its start and end stay in order. A batch the store refused (database
 * unavailable) is tried again after {@link RETRY_MS}. `afterBatch` runs once every item's `done` was called, so the caller can
 * send what it gathered in one message per worker.
 */
export class ReportBatcher {
  #starts: Pending<StartedReport>[] = [];
  #ends: Pending<RemoteAttemptEnd>[] = [];
  /** Starts waiting out `startedDelayMs`, by attempt id. */
  readonly #delayed = new Map<string, Pending<StartedReport>>();
  #cancelDelay: (() => void) | null = null;
  #scheduled = false;
  /** Batches being written. */
  #writing = 0;
  /** Attempts in a batch being written. */
  readonly #busy = new Set<string>();
  #cancelRetry: (() => void) | null = null;
  #closed = false;

  constructor(
    private readonly store: Pick<WorkerStore, "markRemoteStarted" | "finishRemoteAttempts">,
    private readonly clock: Clock,
    private readonly hooks: { afterBatch(): void; failed(error: unknown): void },
    private readonly startedDelayMs = 0,
    private readonly maxWrites = MAX_WRITES,
  ) {}

  started(item: StartedReport, done: (accepted: boolean) => void): void {
    if (this.#closed) return;
    if (this.startedDelayMs <= 0) {
      this.#starts.push({ item, done });
      this.#schedule();
      return;
    }
    const earlier = this.#delayed.get(item.attemptId);
    // A repeated start (a reconnection re-sends it): one write, both told.
    const both = earlier === undefined ? done : (accepted: boolean) => (earlier.done(accepted), done(accepted));
    this.#delayed.set(item.attemptId, { item, done: both });
    this.#cancelDelay ??= this.clock.setTimer(this.startedDelayMs, () => {
      this.#cancelDelay = null;
      this.hurry();
    });
  }

  finished(item: RemoteAttemptEnd, done: (accepted: boolean) => void): void {
    if (this.#closed) return;
    const start = this.#delayed.get(item.attemptId);
    if (start !== undefined) {
      // Written with its end: one write instead of two.
      this.#delayed.delete(item.attemptId);
      this.#starts.push(start);
    }
    this.#ends.push({ item, done });
    this.#schedule();
  }

  /** Writes the starts waiting out `startedDelayMs` now (in the next batch). */
  hurry(): void {
    this.#cancelDelay?.();
    this.#cancelDelay = null;
    if (this.#delayed.size === 0) return;
    this.#starts.push(...this.#delayed.values());
    this.#delayed.clear();
    this.#schedule();
  }

  /** Drops what waits; a batch being written completes. */
  close(): void {
    this.#closed = true;
    this.#cancelRetry?.();
    this.#cancelDelay?.();
    this.#starts = [];
    this.#ends = [];
    this.#delayed.clear();
  }

  #schedule(): void {
    if (this.#scheduled || this.#writing >= this.maxWrites || this.#cancelRetry !== null || this.#closed) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      void this.#write();
    });
  }

  /** The reports of attempts not in a batch being written. */
  #free<T extends { attemptId: string }>(list: Pending<T>[]): Pending<T>[] {
    return list.filter((p) => !this.#busy.has(p.item.attemptId));
  }

  async #write(): Promise<void> {
    if (this.#closed) return;
    let starts = this.#free(this.#starts);
    const ends = this.#free(this.#ends);
    this.#starts = this.#starts.filter((s) => this.#busy.has(s.item.attemptId));
    this.#ends = this.#ends.filter((e) => this.#busy.has(e.item.attemptId));
    if (starts.length === 0 && ends.length === 0) return;
    const ids = new Set([...starts, ...ends].map((p) => p.item.attemptId));
    for (const id of ids) this.#busy.add(id);
    this.#writing++;
    let failed = false;
    // A start whose end is in this batch rides on the end's write.
    const ending = new Set(ends.map((e) => e.item.attemptId));
    const alone = starts.filter((s) => !ending.has(s.item.attemptId));
    try {
      if (alone.length > 0) {
        const accepted = new Set(await this.store.markRemoteStarted(alone.map((s) => s.item)));
        alone.forEach((s) => s.done(accepted.has(s.item.attemptId)));
        starts = starts.filter((s) => ending.has(s.item.attemptId));
      }
      if (ends.length > 0) {
        const accepted = new Set(await this.store.finishRemoteAttempts(ends.map((e) => e.item)));
        for (const s of starts) if (ending.has(s.item.attemptId)) s.done(accepted.has(s.item.attemptId));
        ends.forEach((e) => e.done(accepted.has(e.item.attemptId)));
      }
      starts.length = 0;
      ends.length = 0;
    } catch (error) {
      failed = true;
      this.hooks.failed(error);
      // What was not written goes first next time (starts before ends, as they came).
      this.#starts.unshift(...starts);
      this.#ends.unshift(...ends);
    } finally {
      this.#writing--;
      for (const id of ids) this.#busy.delete(id);
    }
    this.hooks.afterBatch();
    if (failed) {
      this.#cancelRetry ??= this.clock.setTimer(RETRY_MS, () => {
        this.#cancelRetry = null;
        this.#schedule();
      });
    } else if (this.#starts.length > 0 || this.#ends.length > 0) {
      this.#schedule();
    }
  }
}
