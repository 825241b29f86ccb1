import type { TaskSpec } from "../model/dag-spec.js";
import { fnv1a32 } from "./fnv1a.js";

/** Airflow's `[core] max_task_retry_delay`: no retry waits longer than a day. */
export const MAX_RETRY_DELAY_MS = 86_400_000;

/**
 * How long to wait after try `failedTryNumber` (1-based, the attempt that just failed) before
 * the next one. Without backoff: `retryDelayMs`. With backoff (Airflow ≥ 2.10):
 * base = max(1000, ceil(retryDelayMs × 2^(try−1))), jitter = fnv1a32(`${jitterKey}#${try}`) mod
 * base, delay = min(base + jitter, 24 h, maxRetryDelayMs ?? ∞). Deterministic per key and try.
 *
 * @example retryDelayMs({ retryDelayMs: 60_000, retryExponentialBackoff: true, maxRetryDelayMs: null }, 2, "etl#load#2024-01-01") // in [120000, 239999]
 */
export function retryDelayMs(
  task: Pick<TaskSpec, "retryDelayMs" | "retryExponentialBackoff" | "maxRetryDelayMs">,
  failedTryNumber: number,
  jitterKey: string,
): number {
  if (!task.retryExponentialBackoff) return task.retryDelayMs;
  const tryNumber = Math.max(1, Math.floor(failedTryNumber));
  const cap = Math.min(MAX_RETRY_DELAY_MS, task.maxRetryDelayMs ?? Infinity);
  const base = Math.max(1000, Math.ceil(task.retryDelayMs * 2 ** (tryNumber - 1)));
  // Past the cap the jitter cannot matter, and 2^n may have overflowed to Infinity.
  if (base >= cap) return cap;
  const jitter = fnv1a32(`${jitterKey}#${tryNumber}`) % base;
  return Math.min(base + jitter, cap);
}
