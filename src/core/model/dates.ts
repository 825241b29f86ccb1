/** Calendar fields of an instant in a time zone (Intl, no dependency). */
function parts(ms: number, timeZone: string): Record<string, string> {
  const fmt = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
  const out: Record<string, string> = {};
  for (const p of fmt.formatToParts(new Date(ms))) out[p.type] = p.value;
  return out;
}

/** `YYYY-MM-DD` of the instant in `timeZone` (Airflow's `ds`). */
export function formatDs(ms: number, timeZone = "UTC"): string {
  const p = parts(ms, timeZone);
  return `${p.year}-${p.month}-${p.day}`;
}

/** `YYYYMMDD` (Airflow's `ds_nodash`). */
export function formatDsNodash(ms: number, timeZone = "UTC"): string {
  return formatDs(ms, timeZone).replaceAll("-", "");
}

/** ISO 8601 in UTC, without milliseconds when they are zero (Airflow's `ts`). */
export function formatTs(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.endsWith(".000Z") ? `${iso.slice(0, -5)}+00:00` : iso.replace("Z", "+00:00");
}

/** Parses an ISO date or date-time; a bare date is midnight in `timeZone`. Returns NaN if invalid. */
export function parseDate(text: string, timeZone = "UTC"): number {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const utc = Date.parse(`${text}T00:00:00Z`);
    if (Number.isNaN(utc) || timeZone === "UTC") return utc;
    // Shift by the zone's offset at that wall-clock time (two passes settle DST edges).
    let guess = utc;
    for (let i = 0; i < 2; i++) {
      const p = parts(guess, timeZone);
      const wall = Date.UTC(+p.year!, +p.month! - 1, +p.day!, +p.hour!, +p.minute!, +p.second!);
      guess += utc - wall;
    }
    return guess;
  }
  return Date.parse(text);
}
