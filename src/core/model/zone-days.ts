import type { EpochMs } from "./records.js";

const DAY_MS = 86_400_000;

/** From `from` on (until the next span's `from`), local time in the zone is UTC + `offsetMs`. */
export interface ZoneOffsetSpan {
  from: EpochMs;
  offsetMs: number;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

/** A formatter of the zone's wall-clock fields; null for a name Intl does not know (treated as UTC). */
function formatter(timeZone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(timeZone);
  if (f === undefined) {
    try {
      f = new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
    } catch {
      f = null;
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/** Local time minus UTC at the instant `ms` in `timeZone`, in ms (UTC + 2 h → 7,200,000). */
export function zoneOffsetMs(ms: EpochMs, timeZone: string): number {
  const f = formatter(timeZone);
  if (f === null) return 0;
  const p: Record<string, number> = {};
  for (const part of f.formatToParts(new Date(ms))) if (part.type !== "literal") p[part.type] = Number(part.value);
  const wall = Date.UTC(p.year ?? 1970, (p.month ?? 1) - 1, p.day ?? 1, p.hour ?? 0, p.minute ?? 0, p.second ?? 0);
  return wall - (ms - (((ms % 1000) + 1000) % 1000));
}

/** Days since 1970-01-01 of the local date of `ms` in `timeZone` (what `YYYY-MM-DD` it falls on there). */
export function zoneDay(ms: EpochMs, timeZone: string): number {
  return Math.floor((ms + zoneOffsetMs(ms, timeZone)) / DAY_MS);
}

/** The first instant of local day `day` (days since 1970-01-01) in `timeZone`. */
export function zoneDayStart(day: number, timeZone: string): EpochMs {
  const midnight = day * DAY_MS;
  let at = midnight - zoneOffsetMs(midnight, timeZone);
  at = midnight - zoneOffsetMs(at, timeZone);
  // Midnight skipped by a DST change (e.g. America/Santiago): the day starts at the change.
  while (zoneDay(at, timeZone) < day) at += 15 * 60_000;
  while (zoneDay(at - 1, timeZone) === day) at -= 15 * 60_000;
  return at;
}

/**
 * The zone's UTC offsets from `from` to `to`: the first span starts at `from`, each later one at
 * a change of offset (DST, a new rule), found to the millisecond. Scans a day at a time, so two
 * changes within one day (none known) would be missed.
 */
export function zoneOffsetSpans(timeZone: string, from: EpochMs, to: EpochMs): ZoneOffsetSpan[] {
  const spans: ZoneOffsetSpan[] = [{ from, offsetMs: zoneOffsetMs(from, timeZone) }];
  if (formatter(timeZone) === null) return spans;
  let prev = from;
  let prevOffset = spans[0]!.offsetMs;
  for (let at = from + DAY_MS; prev < to; at += DAY_MS) {
    const next = Math.min(at, to);
    const offset = zoneOffsetMs(next, timeZone);
    if (offset !== prevOffset) {
      let lo = prev;
      let hi = next; // offset(lo) = prevOffset, offset(hi) = offset
      while (hi - lo > 1) {
        const mid = Math.floor((lo + hi) / 2);
        if (zoneOffsetMs(mid, timeZone) === prevOffset) lo = mid;
        else hi = mid;
      }
      spans.push({ from: hi, offsetMs: offset });
      prevOffset = offset;
    }
    prev = next;
  }
  return spans;
}
