import type { TaskSpec } from "../model/dag-spec.js";
import { fnv1a32 } from "./fnv1a.js";

/** Airflow's `[core] max_task_retry_delay`: no retry waits longer than a day. */
export const MAX_RETRY_DELAY_MS = 86_400_000;

/**
 * How long to wait after try `failedTryNumber` (1-based, the attempt that just failed) before
 * the next one. Without backoff: `retryDelayMs`. With backoff (Airflow ≥ 2.10, in whole seconds):
 * base = max(1, ceil(retryDelay_s × 2^(try−1))), jitter = fnv1a32(`${jitterKey}#${try}`) mod
 * base, delay = min(base + jitter s, 24 h, maxRetryDelayMs ?? ∞). Deterministic per key and try.
 *
 * @example retryDelayMs({ retryDelayMs: 60_000, retryExponentialBackoff: true, maxRetryDelayMs: null }, 2, "etl#load#2024-01-01") // a whole second in [120000, 239000]
 */
export function retryDelayMs(
  task: Pick<TaskSpec, "retryDelayMs" | "retryExponentialBackoff" | "maxRetryDelayMs">,
  failedTryNumber: number,
  jitterKey: string,
): number {
  if (!task.retryExponentialBackoff) return task.retryDelayMs;
  const tryNumber = Math.max(1, Math.floor(failedTryNumber));
  const cap = Math.min(MAX_RETRY_DELAY_MS, task.maxRetryDelayMs ?? Infinity);
  // In whole seconds, as Airflow computes it: a 1.5 s delay has base 2 s, and the jitter is whole seconds.
  const baseS = Math.max(1, Math.ceil((task.retryDelayMs * 2 ** (tryNumber - 1)) / 1000));
  // Past the cap the jitter cannot matter, and 2^n may have overflowed to Infinity.
  if (baseS * 1000 >= cap) return cap;
  const jitterS = fnv1a32(`${jitterKey}#${tryNumber}`) % baseS;
  return Math.min((baseS + jitterS) * 1000, cap);
}
