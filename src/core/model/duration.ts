import { InvalidInputError } from "../errors.js";

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses a duration: a number of milliseconds, or text such as `"500ms"`, `"30s"`, `"15m"`,
 * `"2h"`, `"1d"`, `"1w"`, or combinations like `"1h30m"`.
 */
export function parseDuration(value: number | string, what = "duration"): number {
  if (typeof value === "number") {
    if (!Number.isFinite(value) || value < 0) throw new InvalidInputError(`${what} must be a non-negative number of ms, got ${value}`);
    return value;
  }
  const text = value.trim();
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * UNITS[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed === 0 || consumed !== text.length) {
    throw new InvalidInputError(`${what} "${value}" is not a duration; use a number of ms or text like "500ms", "30s", "15m", "2h", "1d", "1h30m"`);
  }
  return total;
}

/** Like {@link parseDuration} but passes null/undefined through. */
export function parseOptionalDuration(value: number | string | null | undefined, what?: string): number | null {
  return value === null || value === undefined ? null : parseDuration(value, what);
}
