import type { Clock } from "../ports/clock.js";

interface Timer {
  due: number;
  seq: number;
  fn: () => void;
}

/**
 * A {@link Clock} that only moves when a test moves it: `advance(ms)` fires, in due order, every
 * timer that falls due, each seeing `now()` equal to its own due time. Timers set by a firing
 * timer fire in the same advance when they fall inside it. Nothing here waits on real time, so a
 * retry backoff of an hour is tested in microseconds.
 *
 * @example
 *   const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
 *   clock.setTimer(60_000, () => console.log("a minute later"));
 *   clock.advance(60_000); // prints
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  #timers: Timer[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(ms: number, fn: () => void): () => void {
    const timer: Timer = { due: this.#now + Math.max(0, ms), seq: this.#seq++, fn };
    this.#timers.push(timer);
    return () => {
      this.#timers = this.#timers.filter((t) => t !== timer);
    };
  }

  /** Timers not yet fired. */
  get pending(): number {
    return this.#timers.length;
  }

  /** When the next timer is due, or null when none is pending. */
  nextDue(): number | null {
    return this.#timers.reduce<number | null>((min, t) => (min === null || t.due < min ? t.due : min), null);
  }

  /** Moves time forward by `ms`, firing due timers in order (ties in the order they were set). */
  advance(ms: number): void {
    if (!(ms >= 0)) throw new RangeError(`ManualClock.advance: ms must be ≥ 0, got ${ms}`);
    const end = this.#now + ms;
    for (;;) {
      const next = this.#earliest();
      if (!next || next.due > end) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = Math.max(this.#now, next.due);
      next.fn();
    }
    this.#now = end;
  }

  /** Moves time to the next due timer and fires the timers due then; false when none is pending. */
  advanceToNext(): boolean {
    const due = this.nextDue();
    if (due === null) return false;
    this.advance(Math.max(0, due - this.#now));
    return true;
  }

  #earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.#timers) if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    return best;
  }
}
