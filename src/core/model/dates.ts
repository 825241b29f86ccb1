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
