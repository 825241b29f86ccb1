import { InvalidInputError } from "../errors.js";

/** What the API, the CLI and the SDK accept; quoted in every refusal. */
export const ISO_DATE_FORMS = "YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.fff]] with an optional Z or ±HH:MM offset";

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * The one date parser of Baton (API bodies, CLI flags, a DAG's startDate/endDate): ISO 8601
 * calendar dates and date-times only, checked field by field, so `"123"`, `"March 7"` and
 * `2026-02-30` are refused rather than guessed or rolled over.
 *
 * - `YYYY-MM-DD` is midnight in `timeZone` (the DAG's);
 * - `YYYY-MM-DDTHH:MM[:SS[.fff]]` without an offset is that wall-clock time in `timeZone`; a time
 *   skipped by a DST change is moved forward by the gap (02:30 on a 02:00→03:00 night is 03:30),
 *   one that happens twice is the first;
 * - with `Z` or `±HH:MM` it is that instant, whatever the zone. Fractions beyond milliseconds are cut.
 *
 * Returns epoch milliseconds; throws InvalidInputError saying what is wrong.
 *
 * @example
 * parseIsoDate("2025-03-07", "Europe/Paris") // Date.UTC(2025, 2, 6, 23)
 * parseIsoDate("2025-03-07T06:30:00+02:00")  // Date.UTC(2025, 2, 7, 4, 30)
 * parseIsoDate("2026-02-30")                 // throws: 2026-02 has 28 days
 */
export function parseIsoDate(text: string, timeZone = "UTC"): number {
  const m = ISO.exec(text);
  if (m === null) throw new InvalidInputError(`"${clip(text)}" is not an ISO 8601 date; use ${ISO_DATE_FORMS}`);
  const [, y = "", mo = "", d = "", h = "00", mi = "00", s = "00", frac = "", offset] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const impossible = (what: string) => new InvalidInputError(`"${text}" is not a real date: ${what}; use ${ISO_DATE_FORMS}`);
  if (year < 1) throw impossible(`year ${y} is before year 0001`);
  if (month < 1 || month > 12) throw impossible(`month ${mo} is not 01–12`);
  const days = daysInMonth(year, month);
  if (day < 1) throw impossible(`day ${d} is not 01–${days}`);
  if (day > days) throw impossible(`${y}-${mo} has ${days} days`);
  if (Number(h) > 23) throw impossible(`hour ${h} is not 00–23`);
  if (Number(mi) > 59) throw impossible(`minute ${mi} is not 00–59`);
  if (Number(s) > 59) throw impossible(`second ${s} is not 00–59`);
  const wall = utc(year, month, day, Number(h), Number(mi), Number(s), Number(frac.padEnd(3, "0").slice(0, 3)));
  if (offset === undefined) return zonedToUtc(wall, timeZone);
  if (offset === "Z") return wall;
  const [oh, om] = [Number(offset.slice(1, 3)), Number(offset.slice(4, 6))];
  if (oh > 23 || om > 59) throw impossible(`offset ${offset} is not between -23:59 and +23:59`);
  return wall - (offset.startsWith("-") ? -1 : 1) * (oh * 60 + om) * 60_000;
}

function clip(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function daysInMonth(year: number, month: number): number {
  return new Date(utc(year, month + 1, 0, 0, 0, 0, 0)).getUTCDate();
}

/** Date.UTC without its two-digit-year quirk (years 0–99 are not 1900–1999 here). */
function utc(year: number, month: number, day: number, h: number, mi: number, s: number, ms: number): number {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(h, mi, s, ms);
  return date.getTime();
}

/**
 * The instant of wall-clock time `wall` (its fields read as UTC) in `timeZone`. Tries the zone's
 * offsets a day before and after: of those that give back the same wall-clock time, the earlier
 * instant wins (the first of a DST fall-back's two 01:30s); when none does, the time was skipped
 * by a DST gap and the offset from before the gap moves it forward by the gap.
 */
function zonedToUtc(wall: number, timeZone: string): number {
  if (timeZone === "UTC") return wall;
  const offsetAt = zoneOffset(timeZone);
  const before = offsetAt(wall - DAY);
  const after = offsetAt(wall + DAY);
  const valid = [wall - before, wall - after].filter((at) => wall - offsetAt(at) === at);
  return valid.length > 0 ? Math.min(...valid) : wall - before;
}

const DAY = 86_400_000;

/** The zone's offset from UTC (ms) at an instant. */
function zoneOffset(timeZone: string): (at: number) => number {
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat("en-US", {
      timeZone,
      era: "short",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      hourCycle: "h23",
    });
  } catch {
    throw new InvalidInputError(`time zone "${timeZone}" is not an IANA time zone; give the date-time with an offset (Z or ±HH:MM)`);
  }
  return (at) => {
    const p: Record<string, string> = {};
    for (const part of fmt.formatToParts(new Date(at))) p[part.type] = part.value;
    const year = p.era === "BC" || p.era === "B" ? 1 - Number(p.year) : Number(p.year);
    const whole = Math.floor(at / 1000) * 1000;
    return utc(year, Number(p.month), Number(p.day), Number(p.hour), Number(p.minute), Number(p.second), 0) - whole;
  };
}
