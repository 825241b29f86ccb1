import type { EpochMs } from "../model/records.js";
import type { Season } from "./robust-baseline.js";

/** The values one successful attempt measured (docs/anomalies.md): `duration` (seconds) and its `ctx.metric` values. */
export interface AttemptMetrics {
  dagId: string;
  runId: string;
  runPk: number;
  taskId: string;
  mapIndex: number;
  tryNumber: number;
  /** When the attempt started: the time its values are placed at for seasons. */
  at: EpochMs;
  values: Record<string, number>;
}

/** A value far outside its baseline, with the evidence. */
export interface Anomaly {
  dagId: string;
  runId: string;
  runPk: number;
  /** '' for a run-level anomaly (a late run: metric `landing`, map index -1, try 0). */
  taskId: string;
  mapIndex: number;
  tryNumber: number;
  /** `duration` (seconds) or a `ctx.metric` name. */
  metric: string;
  value: number;
  /** Baseline: median and MAD (as measured; the score uses max(MAD, floors)). */
  median: number;
  mad: number;
  /** Robust z-score: 0.6745·(value − median)/max(MAD, floors). */
  score: number;
  /** Past values the baseline was computed from. */
  points: number;
  /** The subset of the history used: "none" (the last points), "hour_of_week", "weekday" or "hour_of_day" (UTC). */
  season: Season;
  detectedAt: EpochMs;
}

export interface AnomalyRecord extends Anomaly {
  id: number;
}
