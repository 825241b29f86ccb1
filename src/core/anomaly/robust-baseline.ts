/**
 * Robust baselines of a task's metrics (docs/anomalies.md): median and MAD (median absolute
 * deviation) of recent successful tries, the robust z-score of a new value against them, and a
 * seasonal subset (same hour of the week, same weekday, same hour of the day; UTC) when the
 * history shows the value depends on it. Pure: no storage, no clock.
 */

/** One past value of a metric and when its try started (epoch ms). */
export interface MetricPoint {
  value: number;
  at: number;
}

export interface AnomalyThresholds {
  /** Points of the baseline: the most recent this many (of the chosen subset). */
  window: number;
  /** An anomaly needs at least this many past points (of any season). */
  minPoints: number;
  /** |robust z| at or above this is an anomaly. */
  zThreshold: number;
  /** A seasonal subset needs at least this many points. */
  seasonalMinPoints: number;
  /** A season is used when the medians of its groups spread at least this many robust standard deviations (MAD/0.6745). */
  seasonalShift: number;
  /** MAD is at least this fraction of |median|… */
  relativeMadFloor: number;
  /** …and at least this (in the metric's unit; 1 for duration in seconds). */
  absoluteMadFloor: number;
}

export const DEFAULT_THRESHOLDS: AnomalyThresholds = {
  window: 30,
  minPoints: 10,
  zThreshold: 3.5,
  seasonalMinPoints: 5,
  seasonalShift: 2,
  relativeMadFloor: 0.05,
  absoluteMadFloor: 1e-9,
};

/** Which subset of the history a baseline was computed from. */
export type Season = "none" | "hour_of_week" | "weekday" | "hour_of_day";

export interface Baseline {
  median: number;
  /** The MAD as measured (before the floor). */
  mad: number;
  /** The MAD used for the score: max(mad, relativeMadFloor·|median|, absoluteMadFloor). */
  madUsed: number;
  points: number;
  season: Season;
}

export interface Evaluation {
  baseline: Baseline;
  value: number;
  /** 0.6745·(value − median)/madUsed. */
  score: number;
  anomalous: boolean;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Median absolute deviation from the median. */
export function mad(values: readonly number[], center = median(values)): number {
  return median(values.map((v) => Math.abs(v - center)));
}

export function robustZ(value: number, center: number, madUsed: number): number {
  return (0.6745 * (value - center)) / madUsed;
}

function baselineOf(values: readonly number[], season: Season, t: AnomalyThresholds): Baseline {
  const m = median(values);
  const d = mad(values, m);
  return { median: m, mad: d, madUsed: Math.max(d, t.relativeMadFloor * Math.abs(m), t.absoluteMadFloor), points: values.length, season };
}

type Key = (at: number) => number;
const weekday: Key = (at) => new Date(at).getUTCDay();
const hourOfDay: Key = (at) => new Date(at).getUTCHours();
const hourOfWeek: Key = (at) => weekday(at) * 24 + hourOfDay(at);

/**
 * How strongly the history depends on `key`: the range of the medians of its groups (those with
 * at least `seasonalMinPoints` points, two groups at least), in robust standard deviations of the
 * values around their own group's median (the pooled within-group MAD, floored). 0 when it cannot tell.
 */
export function seasonalStrength(history: readonly MetricPoint[], key: Key, t: AnomalyThresholds = DEFAULT_THRESHOLDS): number {
  const groups = new Map<number, number[]>();
  for (const p of history) {
    const k = key(p.at);
    const g = groups.get(k);
    if (g === undefined) groups.set(k, [p.value]);
    else g.push(p.value);
  }
  const medians: number[] = [];
  const deviations: number[] = [];
  for (const values of groups.values()) {
    if (values.length < t.seasonalMinPoints) continue;
    const m = median(values);
    medians.push(m);
    for (const v of values) deviations.push(Math.abs(v - m));
  }
  if (medians.length < 2) return 0;
  const center = median(medians);
  const pooled = Math.max(median(deviations), t.relativeMadFloor * Math.abs(center), t.absoluteMadFloor);
  return (0.6745 * (Math.max(...medians) - Math.min(...medians))) / pooled;
}

/**
 * The baseline a value observed at `at` is judged against; `history` is past points, any order.
 * A season (weekday, hour of the day; UTC) is used when the history shows it: the medians of its
 * groups spread at least `seasonalShift` robust standard deviations (see {@link seasonalStrength}).
 * When both show, the same hour of the week is used (if it has `seasonalMinPoints`), else the
 * stronger one. The baseline is the last `window` points of the value's group, or of the whole
 * history when no season shows or its group is too small.
 */
export function baselineFor(history: readonly MetricPoint[], at: number, t: AnomalyThresholds = DEFAULT_THRESHOLDS): Baseline {
  const recent = [...history].sort((a, b) => b.at - a.at);
  const byWeekday = seasonalStrength(recent, weekday, t);
  const byHour = seasonalStrength(recent, hourOfDay, t);
  const candidates: Array<[Exclude<Season, "none">, Key]> = [];
  if (byWeekday >= t.seasonalShift && byHour >= t.seasonalShift) candidates.push(["hour_of_week", hourOfWeek]);
  if (byWeekday >= t.seasonalShift || byHour >= t.seasonalShift) {
    const ordered: Array<[Exclude<Season, "none">, Key, number]> = [
      ["weekday", weekday, byWeekday],
      ["hour_of_day", hourOfDay, byHour],
    ];
    for (const [season, key] of ordered.filter(([, , s]) => s >= t.seasonalShift).sort((a, b) => b[2] - a[2])) candidates.push([season, key]);
  }
  for (const [season, key] of candidates) {
    const k = key(at);
    const subset = recent.filter((p) => key(p.at) === k).slice(0, t.window);
    if (subset.length >= t.seasonalMinPoints) {
      return baselineOf(
        subset.map((p) => p.value),
        season,
        t,
      );
    }
  }
  return baselineOf(
    recent.slice(0, t.window).map((p) => p.value),
    "none",
    t,
  );
}

/** Judges `value` (observed at `at`) against its history. */
export function evaluate(value: number, at: number, history: readonly MetricPoint[], t: AnomalyThresholds = DEFAULT_THRESHOLDS): Evaluation {
  const baseline = baselineFor(history, at, t);
  if (baseline.points === 0) return { baseline: { ...baseline, median: 0, mad: 0, madUsed: t.absoluteMadFloor }, value, score: 0, anomalous: false };
  const score = robustZ(value, baseline.median, baseline.madUsed);
  return { baseline, value, score, anomalous: history.length >= t.minPoints && Math.abs(score) >= t.zThreshold };
}
