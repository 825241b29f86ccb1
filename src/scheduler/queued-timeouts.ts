import type { Clock } from "../core/ports/clock.js";
import type { ActiveRun } from "./active-run.js";
import type { InFlight, InFlightAttempts } from "./in-flight.js";

/** Airflow's default `[scheduler] task_queued_timeout`: 600 s. */
export const DEFAULT_TASK_QUEUED_TIMEOUT_MS = 600_000;

/**
 * How often an attempt stuck in queued is queued again before its task instance fails: Airflow's
 * `[scheduler] num_stuck_in_queued_retries` (2).
 */
export const STUCK_IN_QUEUED_REQUEUES = 2;

/** How an attempt that timed out in queued is recorded; the count of requeues reads it back. */
export const STUCK_IN_QUEUED = "stuck in queued";

/** An attempt handed to the executor that has not started for the timeout. */
export interface StuckAttempt {
  attemptId: string;
  attempt: InFlight;
  /** When it was handed to the executor (as seen by the sweep). */
  handedOutAt: number;
}

/**
 * Airflow's `task_queued_timeout`: finds attempts handed to the executor (the local pool, or the
 * remote mailbox of a queue) that have not started for `timeoutMs` while nothing else of their
 * queue was running. Not counted:
 * - attempts still waiting in the scheduler for an executor slot (staged): in Airflow they would
 *   still be `scheduled`;
 * - time while another attempt of the same queue runs (in this scheduler): the attempt may wait
 *   behind it (a busy pool, an attempt a worker fetched ahead), which is a wait for a free worker,
 *   not a lost attempt. Its wait starts again once its queue has nothing running.
 * `sweep` runs on every tick and arms a timer on the clock for the next deadline, so a stuck
 * attempt is found when its time is up, not a tick later.
 *
 * The wait starts when the attempt was queued if it was dispatched since the last sweep (handed
 * out at once, as remote attempts are), else at the sweep that first sees it handed out with
 * nothing of its queue running.
 */
export class QueuedTimeouts {
  readonly #handedOutAt = new WeakMap<InFlight, number>();
  #lastSweep = Number.NEGATIVE_INFINITY;
  #cancelTimer: (() => void) | null = null;

  constructor(
    private readonly deps: {
      clock: Clock;
      inFlight: InFlightAttempts;
      runs: ReadonlyMap<number, ActiveRun>;
      timeoutMs: number;
      /** Called for each attempt whose time is up (at most once per attempt). */
      stuck: (s: StuckAttempt) => void;
    },
  ) {}

  sweep(): void {
    const { clock, inFlight, runs, timeoutMs } = this.deps;
    if (timeoutMs <= 0) return;
    const now = clock.now();
    const stuck: StuckAttempt[] = [];
    let next = Number.POSITIVE_INFINITY;
    const busy = new Set<string>();
    for (const [, f] of inFlight.entries()) if (f.state === "running") busy.add(f.queue);
    for (const [attemptId, f] of inFlight.entries()) {
      if (f.state !== "queued" || f.handedOut !== true) continue;
      let at = this.#handedOutAt.get(f);
      if (at === Number.POSITIVE_INFINITY) continue; // reported already
      if (busy.has(f.queue)) {
        // Waiting behind a running attempt of its queue: its wait starts once none runs.
        this.#handedOutAt.delete(f);
        continue;
      }
      if (at === undefined) {
        const queuedAt = runs.get(f.runPk)?.tis.get(f.key)?.queuedAt ?? null;
        at = queuedAt !== null && queuedAt >= this.#lastSweep ? queuedAt : now;
        this.#handedOutAt.set(f, at);
      }
      if (at + timeoutMs <= now) stuck.push({ attemptId, attempt: f, handedOutAt: at });
      else next = Math.min(next, at + timeoutMs);
    }
    this.#lastSweep = now;
    this.#arm(next, now);
    for (const s of stuck) {
      // Told once: the handler ends it (or it started meanwhile); never reported twice.
      this.#handedOutAt.set(s.attempt, Number.POSITIVE_INFINITY);
      this.deps.stuck(s);
    }
  }

  /** A stuck attempt whose handling failed (store error) is reported again by the next sweep. */
  again(s: StuckAttempt): void {
    if (this.deps.inFlight.get(s.attemptId) === s.attempt) this.#handedOutAt.set(s.attempt, s.handedOutAt);
  }

  /** No more sweeps by timer. */
  cancel(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = null;
  }

  #arm(due: number, now: number): void {
    this.cancel();
    if (due === Number.POSITIVE_INFINITY) return;
    this.#cancelTimer = this.deps.clock.setTimer(due - now, () => {
      this.#cancelTimer = null;
      this.sweep();
    });
  }
}
