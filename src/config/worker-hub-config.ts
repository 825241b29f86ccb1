import { InvalidInputError } from "../core/errors.js";

/** The API server's side of remote workers (docs/workers.md#worker-channel). */
export interface WorkerHubConfig {
  /** A worker not heard from for this long is declared lost (BATON_WORKER_LOST_MS, default 10,000). */
  lostAfterMs: number;
  /** How often workers heartbeat, told to them in `welcome` (BATON_WORKER_HEARTBEAT_MS, default 2,000). */
  heartbeatMs: number;
}

/**
 * Reads BATON_WORKER_LOST_MS and BATON_WORKER_HEARTBEAT_MS. Throws InvalidInputError (exit 2)
 * naming the variable when a value is not a positive whole number of milliseconds, or when a
 * worker would be declared lost before its second heartbeat could arrive.
 */
export function loadWorkerHubConfig(env: NodeJS.ProcessEnv = process.env): WorkerHubConfig {
  const lostAfterMs = positiveMs(env, "BATON_WORKER_LOST_MS", 10_000);
  const heartbeatMs = positiveMs(env, "BATON_WORKER_HEARTBEAT_MS", 2_000);
  if (lostAfterMs < 2 * heartbeatMs) {
    throw new InvalidInputError(
      `BATON_WORKER_LOST_MS (${lostAfterMs}) must be at least twice BATON_WORKER_HEARTBEAT_MS (${heartbeatMs}): one late heartbeat must not make a worker lost`,
    );
  }
  return { lostAfterMs, heartbeatMs };
}

function positiveMs(env: NodeJS.ProcessEnv, key: string, fallback: number): number {
  const raw = env[key]?.trim();
  if (raw === undefined || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new InvalidInputError(`${key} must be a positive whole number of milliseconds, got "${raw}"`);
  return n;
}
