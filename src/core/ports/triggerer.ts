import type { TriggerSpec } from "../sensors/sensor-wait.js";

/** How a deferred sensor's wait ended. */
export type TriggerEvent =
  /** The check passed; `value` (JSON-encodable) is the sensor's return value. */
  | { kind: "done"; value: unknown; pokes: number }
  /** The last check, at `timeoutAt`, still said "not yet"; `message`: "timed out after … (timeout …, n pokes, deferred; last: …)". */
  | { kind: "timeout"; message: string; pokes: number }
  /** A check threw SkipTask (an external task ended in skippedStates, or softFail on failedStates). */
  | { kind: "skipped"; reason: string; pokes: number }
  /** A check threw: `retryable: false` for FailTask (a 401, a bad target) — the task fails at once. */
  | { kind: "failed"; error: string; retryable: boolean; pokes: number };

/**
 * Runs deferred sensors' checks in the scheduler process, asynchronously, holding no worker slot:
 * hundreds at once. Implemented by src/triggerer.
 */
export interface Triggerer {
  /** Starts checking `spec` (after its first wait); calls `onEvent` once when the wait ends. Replaces a watch with the same key. */
  watch(key: string, spec: TriggerSpec, pokes: number, onEvent: (event: TriggerEvent) => void): void;
  /** Stops a watch; no event follows. Unknown keys are ignored. */
  cancel(key: string): void;
  /** Watches in progress. */
  readonly size: number;
  /** Cancels every watch and waits for checks in flight to settle. */
  close(): Promise<void>;
}
