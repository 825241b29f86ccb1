import { InvalidInputError } from "../core/errors.js";

/** The notification outbox's timing (docs/alerts.md#delivery-the-outbox), from `BATON_NOTIFY_*`. */
export interface NotificationConfig {
  maxAttempts: number;
  firstRetryMs: number;
  maxRetryMs: number;
  repeatWindowMs: number;
  requestTimeoutMs: number;
  pollMs: number;
}

const VARIABLES: { key: keyof NotificationConfig; name: string; fallback: number; min: number }[] = [
  { key: "maxAttempts", name: "BATON_NOTIFY_MAX_ATTEMPTS", fallback: 8, min: 1 },
  { key: "firstRetryMs", name: "BATON_NOTIFY_RETRY_MS", fallback: 30_000, min: 1 },
  { key: "maxRetryMs", name: "BATON_NOTIFY_MAX_RETRY_MS", fallback: 3_600_000, min: 1 },
  { key: "repeatWindowMs", name: "BATON_NOTIFY_REPEAT_WINDOW_MS", fallback: 300_000, min: 0 },
  { key: "requestTimeoutMs", name: "BATON_NOTIFY_TIMEOUT_MS", fallback: 10_000, min: 1 },
  { key: "pollMs", name: "BATON_NOTIFY_POLL_MS", fallback: 10_000, min: 10 },
];

/**
 * Reads `BATON_NOTIFY_*`; each unset (or empty) variable takes its default. Throws
 * InvalidInputError (exit 2) naming the variable when a value is not a whole number within range.
 */
export function loadNotificationConfig(env: NodeJS.ProcessEnv = process.env): NotificationConfig {
  const config = {} as NotificationConfig;
  for (const v of VARIABLES) {
    const raw = env[v.name]?.trim();
    const value = raw === undefined || raw === "" ? v.fallback : /^\d{1,15}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value) || value < v.min) throw new InvalidInputError(`${v.name} must be a whole number ≥ ${v.min}, got "${raw}"`);
    config[v.key] = value;
  }
  if (config.maxRetryMs < config.firstRetryMs) {
    throw new InvalidInputError(`BATON_NOTIFY_MAX_RETRY_MS (${config.maxRetryMs}) must be at least BATON_NOTIFY_RETRY_MS (${config.firstRetryMs})`);
  }
  return config;
}
