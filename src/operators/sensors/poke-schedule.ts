import { createHash } from "node:crypto";

/** When a sensor pokes again; all durations in milliseconds. */
export interface PokeSchedule {
  pokeIntervalMs: number;
  exponentialBackoff: boolean;
  /** Cap on any single wait with exponentialBackoff; null for none. */
  maxWaitMs: number | null;
}

/**
 * The wait after poke number `n` (1-based) when `remainingMs` are left before the sensor's
 * timeout. Without backoff: the poke interval. With backoff (Airflow's formula, in whole seconds
 * as Airflow computes it): `m = max(1, int(pokeInterval_s × 2^(n−2)))`, wait = `m + sha1(key#n)
 * mod m` seconds, capped by maxWait. Either way never past the timeout, so the last poke happens
 * at the deadline.
 */
export function nextPokeDelay(schedule: PokeSchedule, n: number, remainingMs: number, key: string): number {
  let delay = schedule.pokeIntervalMs;
  if (schedule.exponentialBackoff) {
    const m = Math.max(1, Math.floor((schedule.pokeIntervalMs * 2 ** (n - 2)) / 1000));
    const hash = BigInt(`0x${createHash("sha1").update(`${key}#${n}`).digest("hex")}`);
    delay = (m + (Number.isSafeInteger(m) ? Number(hash % BigInt(m)) : 0)) * 1000;
    if (schedule.maxWaitMs !== null) delay = Math.min(delay, schedule.maxWaitMs);
  }
  return Math.max(0, Math.min(delay, remainingMs));
}

/** "250ms", "1.5s", "3m 20s", "2h 5m". */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(1))}s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)}m ${s % 60}s`;
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}
