/**
 * Dates, durations and relative times for the first view, as ui/src/lib/format.ts and
 * ui/src/pages/dag/grid-axis.ts write them in the browser — in the browser's language
 * (Accept-Language) and time zone. The page request does not carry the time zone: the UI writes
 * it in the `baton_tz` cookie (ui/public/theme-init.js) on every load; without it (a browser's
 * very first visit) the first view is written in UTC and says so on the grid's date axis.
 */

export interface Formats {
  /** The IANA zone the dates are written in; "UTC" when the browser's is not known. */
  timeZone: string;
  /** Whether the zone came from the browser (the `baton_tz` cookie). */
  zoneKnown: boolean;
  date(iso: string | null | undefined): string;
  /** ui/src/lib/format.ts `fmtShort`. */
  short(iso: string | null | undefined): string;
  duration(ms: number | null | undefined): string;
  relative(iso: string | null | undefined, now: number): string;
  /** A date's local day ("Dec 5"), its key (to see where the day changes) and time ("06:00"). */
  axis(d: Date): { dayKey: string; day: string; time: string; midnight: boolean };
}

const cache = new Map<string, Formats>();

/** The formats for a request's `Accept-Language` and `Cookie` headers. */
export function formatsFor(acceptLanguage: string | undefined, cookie: string | undefined): Formats {
  const locale = pickLocale(acceptLanguage);
  const tz = zoneFromCookie(cookie);
  const key = `${locale}|${tz ?? ""}`;
  let f = cache.get(key);
  if (!f) {
    f = makeFormats(locale, tz);
    if (cache.size > 200) cache.clear();
    cache.set(key, f);
  }
  return f;
}

function pickLocale(header: string | undefined): string {
  const first = (header ?? "").split(",")[0]?.split(";")[0]?.trim() ?? "";
  if (first === "" || first === "*") return "en-US";
  try {
    return Intl.DateTimeFormat.supportedLocalesOf([first])[0] ?? "en-US";
  } catch {
    return "en-US";
  }
}

function zoneFromCookie(cookie: string | undefined): string | null {
  const m = /(?:^|;\s*)baton_tz=([^;]+)/.exec(cookie ?? "");
  if (!m?.[1]) return null;
  let zone: string;
  try {
    zone = decodeURIComponent(m[1]);
  } catch {
    return null;
  }
  if (zone.length > 64) return null;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: zone });
    return zone;
  } catch {
    return null; // not a zone this Node knows
  }
}

function makeFormats(locale: string, tz: string | null): Formats {
  const timeZone = tz ?? "UTC";
  const dtf = new Intl.DateTimeFormat(locale, {
    timeZone,
    year: "numeric",
    month: "short",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
  });
  const shortDtf = new Intl.DateTimeFormat(locale, { timeZone, month: "short", day: "2-digit", hour: "2-digit", minute: "2-digit" });
  const dayFmt = new Intl.DateTimeFormat(locale, { timeZone, month: "short", day: "numeric" });
  const timeFmt = new Intl.DateTimeFormat(locale, { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
  const keyFmt = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  return {
    timeZone,
    zoneKnown: tz !== null,
    date: (iso) => {
      if (!iso) return "—";
      const d = new Date(iso);
      return Number.isNaN(d.getTime()) ? iso : dtf.format(d);
    },
    short: (iso) => {
      if (!iso) return "—";
      const d = new Date(iso);
      return Number.isNaN(d.getTime()) ? iso : shortDtf.format(d);
    },
    duration,
    relative: (iso, now) => {
      if (!iso) return "—";
      const t = Date.parse(iso);
      if (Number.isNaN(t)) return iso;
      const diff = t - now;
      const abs = Math.abs(diff);
      if (abs < 60_000) return rtf.format(Math.round(diff / 1000), "second");
      if (abs < 3_600_000) return rtf.format(Math.round(diff / 60_000), "minute");
      if (abs < 86_400_000) return rtf.format(Math.round(diff / 3_600_000), "hour");
      return rtf.format(Math.round(diff / 86_400_000), "day");
    },
    axis: (d) => {
      const time = timeFmt.format(d);
      return { dayKey: keyFmt.format(d), day: dayFmt.format(d), time, midnight: /^0?0\D0?0$/.test(time) };
    },
  };
}

/** ui/src/lib/format.ts `fmtDuration`. */
function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  const rs = Math.floor(s % 60);
  if (m < 60) return `${m}m ${String(rs).padStart(2, "0")}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, "0")}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}
