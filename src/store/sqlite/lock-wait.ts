import { StoreUnavailableError } from "../../core/errors.js";
import type { Clock } from "../../core/ports/clock.js";
import type { StoreAvailabilityTracker } from "../store-availability-tracker.js";

/**
 * SQLite's own busy wait (`busy_timeout`) sleeps inside the call, and better-sqlite3 calls are
 * synchronous: a long wait would stop the event loop. So connections wait only this long inside
 * SQLite, and longer waits are pauses on the clock between tries ({@link waitForLock}).
 */
export const BUSY_TIMEOUT_MS = 5;

/** How statements wait for a lock another process holds. */
export interface LockWait {
  /** The database file, for messages. */
  path: string;
  clock: Clock;
  tracker: StoreAvailabilityTracker;
  /** A statement gives up with StoreUnavailableError once it has waited this long. */
  timeoutMs: number;
  /** The store counts as unavailable once a statement has waited this long. */
  unavailableAfterMs: number;
}

export const DEFAULT_LOCK_WAIT_MS = 300_000;
export const UNAVAILABLE_AFTER_MS = 500;
const FIRST_PAUSE_MS = 5;
const MAX_PAUSE_MS = 200;

/**
 * Another connection holds a lock we need (SQLITE_BUSY, SQLITE_LOCKED and their extended codes).
 * SQLITE_BUSY_SNAPSHOT is not one: a read transaction that cannot become a write transaction
 * stays stale however long it waits.
 */
export function isLockError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (typeof code !== "string") return false;
  return (code.startsWith("SQLITE_BUSY") && code !== "SQLITE_BUSY_SNAPSHOT") || code.startsWith("SQLITE_LOCKED");
}

/**
 * Tries `attempt` again while it fails with a lock error and `safeToRetry()` holds, pausing
 * between tries on the clock (5 ms doubling to 200 ms) so the event loop runs meanwhile. Marks
 * the store unavailable once the wait passes `unavailableAfterMs`, available again when a try
 * succeeds; throws StoreUnavailableError after `timeoutMs`, leaving the store marked unavailable
 * until a statement gets through. A statement that failed with a lock
 * error changed nothing, so trying it again cannot apply it twice.
 */
export async function waitForLock<T>(attempt: () => T, firstError: unknown, wait: LockWait, safeToRetry: () => boolean = () => true): Promise<T> {
  const started = wait.clock.now();
  let error = firstError;
  let pause = FIRST_PAUSE_MS;
  for (;;) {
    const waited = wait.clock.now() - started;
    if (waited >= wait.unavailableAfterMs || waited >= wait.timeoutMs) wait.tracker.markUnavailable(started, messageOf(error));
    if (waited >= wait.timeoutMs) {
      throw new StoreUnavailableError(
        `SQLite database "${wait.path}" stayed locked by another process for ${waited} ms (the limit is ${wait.timeoutMs} ms): ${messageOf(error)}`,
        { cause: error },
      );
    }
    await new Promise<void>((resolve) => wait.clock.setTimer(Math.min(pause, wait.timeoutMs - waited), resolve));
    pause = Math.min(pause * 2, MAX_PAUSE_MS);
    try {
      const result = attempt();
      wait.tracker.markAvailable();
      return result;
    } catch (e) {
      if (!isLockError(e) || !safeToRetry()) throw e;
      error = e;
    }
  }
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
