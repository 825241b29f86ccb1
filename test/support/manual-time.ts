import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import { walSyncsIdle } from "../../src/store/sqlite/wal-sync.js";

/**
 * Driving the scheduler on a {@link ManualClock}: time moves only when a test moves it, and
 * between moves the test waits for the scheduler's own asynchronous work (store reads and
 * commits, module imports), never for time to pass.
 */

export const MINUTE = 60_000;
export const HOUR = 3_600_000;

/** The next whole hour of real time plus one: runs the harness queues (stamped with real time) are due then. */
export function manualStart(): number {
  return Math.ceil(Date.now() / HOUR) * HOUR + HOUR;
}

/**
 * Lets the promise chains and I/O that fired timers started run to their next wait. A SQLite
 * commit ends with a sync of its WAL on the thread pool (src/store/sqlite/wal-sync.ts): turns
 * spent waiting for one do not count.
 */
export async function settle(): Promise<void> {
  for (let i = 0, syncs = 0; i < 20; i++) {
    await new Promise((r) => setImmediate(r));
    const sync = syncs < 1_000 ? walSyncsIdle() : null;
    if (sync) {
      await sync;
      syncs++;
      i--;
    }
  }
}

/** Moves the clock `ms` forward one due timer at a time, letting the scheduler's async work run after each. */
export async function runFor(clock: ManualClock, ms: number): Promise<void> {
  const end = clock.now() + ms;
  for (let due = clock.nextDue(); due !== null && due <= end; due = clock.nextDue()) {
    clock.advance(due - clock.now());
    await settle();
  }
  clock.advance(end - clock.now());
  await settle();
}

/**
 * Waits, without moving the clock, until `check` returns a value (not undefined): for work that
 * takes real I/O (a task's module import, a commit). Fires timers due now (zero-delay wakes) as
 * it waits. Fails after about 5 s of real time (a busy machine's first module import).
 */
export async function until<T>(clock: ManualClock, what: string, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let i = 0; i < 1000; i++) {
    const v = await check();
    if (v !== undefined) return v;
    clock.advance(0);
    await settle();
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`never happened: ${what}`);
}
