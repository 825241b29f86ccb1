import { InvalidInputError } from "../core/errors.js";
import { DEADLINE_REFERENCE_KINDS, type DeadlineSpec } from "../core/model/deadlines.js";
import { parseDuration } from "../core/model/duration.js";
import { parseIsoDate } from "../core/model/iso-date.js";
import { checkKnownKeys, show } from "./option-checks.js";

/** A duration: milliseconds, or text such as "30s", "15m", "2h" (task-options.ts's `Duration`; not imported: it imports this file). */
type Duration = number | string;

/**
 * A run's deadline (Airflow 3.1's Deadline Alerts): the run must be finished by `reference +
 * interval`, else the deadline is missed (once, even while the run is still going).
 *
 * @example
 * dag({ id: "daily_sales", schedule: "@daily", deadline: { reference: "dataIntervalEnd", interval: "2h" } }, …)
 * dag({ id: "report", deadline: [{ reference: "queuedAt", interval: "30m" }, { reference: { fixed: "2027-01-01T06:00:00Z" }, interval: 0 }] }, …)
 */
export interface DeadlineOption {
  /**
   * What the deadline counts from: the run's `"logicalDate"`, its `"dataIntervalEnd"`, when it was
   * `"queuedAt"` (created), or `{ fixed: "<ISO 8601 date-time>" }` (the same instant for every run).
   */
  reference: "logicalDate" | "dataIntervalEnd" | "queuedAt" | { fixed: string | Date | number };
  /**
   * Added to the reference: a duration such as "2h", "30m", "1h30m", or ms (0 allowed). Negative
   * ("-1h", -3600000) puts the deadline before the reference, as Airflow allows.
   */
  interval: Duration;
}

/** Checks `deadline` (one or a list); throws InvalidInputError naming what is wrong. */
export function resolveDeadlines(value: unknown, timezone: string): DeadlineSpec[] {
  if (value === undefined || value === null) return [];
  const list: unknown[] = Array.isArray(value) ? value : [value];
  return list.map((item, i) => resolveDeadline(item, Array.isArray(value) ? `deadline[${i}]` : "deadline", timezone));
}

function resolveDeadline(value: unknown, key: string, timezone: string): DeadlineSpec {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidInputError(`${key} must be an object like { reference: "logicalDate", interval: "2h" }, got ${show(value)}`);
  }
  checkKnownKeys(value, ["reference", "interval"], `${key} key`);
  const { reference, interval } = value as { reference?: unknown; interval?: unknown };
  if (interval === undefined) throw new InvalidInputError(`${key}.interval is required: a duration like "2h" (or 0)`);
  if (typeof interval !== "number" && typeof interval !== "string") {
    throw new InvalidInputError(`${key}.interval must be a duration like "2h" or a number of ms, got ${show(interval)}`);
  }
  const intervalMs = signedInterval(interval, `${key}.interval`);
  const valid = `${DEADLINE_REFERENCE_KINDS.map((k) => `"${k}"`).join(", ")} or { fixed: "<ISO 8601 date-time>" }`;
  if (typeof reference === "string") {
    if (!(DEADLINE_REFERENCE_KINDS as readonly string[]).includes(reference)) {
      throw new InvalidInputError(`${key}.reference must be one of ${valid}; got ${show(reference)}`);
    }
    return { reference: { kind: reference as (typeof DEADLINE_REFERENCE_KINDS)[number] }, intervalMs };
  }
  if (typeof reference === "object" && reference !== null && !Array.isArray(reference) && !(reference instanceof Date)) {
    checkKnownKeys(reference, ["fixed"], `${key}.reference key`);
    return { reference: { kind: "fixed", at: fixedInstant((reference as { fixed?: unknown }).fixed, `${key}.reference.fixed`, timezone) }, intervalMs };
  }
  throw new InvalidInputError(`${key}.reference must be one of ${valid}; got ${show(reference)}`);
}

/** A duration that may be negative (Airflow's deadline interval may be): "-1h", -3_600_000. */
function signedInterval(value: number | string, what: string): number {
  if (typeof value === "number" && value < 0) return -parseDuration(-value, what);
  if (typeof value === "string" && value.trim().startsWith("-")) return -parseDuration(value.trim().slice(1), what);
  return parseDuration(value, what);
}

function fixedInstant(value: unknown, key: string, timezone: string): number {
  if (typeof value === "string") {
    try {
      return parseIsoDate(value, timezone);
    } catch (error) {
      throw new InvalidInputError(`${key}: ${(error as Error).message}`);
    }
  }
  const ms = value instanceof Date ? value.getTime() : typeof value === "number" ? value : Number.NaN;
  if (!Number.isFinite(ms)) throw new InvalidInputError(`${key} must be an ISO 8601 date-time, a Date or epoch ms, got ${show(value)}`);
  return ms;
}

/** A task's `expectedDuration`: > 0 ms, or null when not set. */
export function resolveExpectedDuration(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "number" && typeof value !== "string") {
    throw new InvalidInputError(`expectedDuration must be a duration like "10m" or a number of ms, got ${show(value)}`);
  }
  const ms = parseDuration(value, "expectedDuration");
  if (ms === 0) throw new InvalidInputError("expectedDuration must be greater than 0; leave it out (or null) for none");
  return ms;
}
