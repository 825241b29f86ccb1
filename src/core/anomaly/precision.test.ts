import { expect, it } from "vitest";
import { evaluate, DEFAULT_THRESHOLDS, type AnomalyThresholds, type MetricPoint } from "./robust-baseline.js";

/**
 * Precision and recall of the detector on a seeded history (docs/anomalies.md#measured): 60 days
 * of hourly runs; rows ~10 000 on weekdays and ~4 000 at weekends, durations ~60 s and 1.5× at
 * night (02–05 UTC), Gaussian noise (5% rows, 10% duration); 5% of runs injected: half a 50% row
 * drop, half a 3× duration. Each run is judged against the history before it (anomalies
 * included), as the detector does; a run is flagged when any of its metrics is.
 */

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HOUR = 3_600_000;
const START = Date.UTC(2026, 8, 7); // a Monday
const HISTORY_LIMIT = 500; // what the detector reads per metric

interface Measured {
  precision: number;
  recall: number;
  tp: number;
  fp: number;
  fn: number;
}

function measure(seed: number, warmupDays: number, t: AnomalyThresholds = DEFAULT_THRESHOLDS): Measured {
  const rnd = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const rows: MetricPoint[] = [];
  const durations: MetricPoint[] = [];
  let [tp, fp, fn] = [0, 0, 0];
  for (let h = 0; h < 60 * 24; h++) {
    const at = START + h * HOUR;
    const d = new Date(at);
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6;
    const night = d.getUTCHours() >= 2 && d.getUTCHours() < 5;
    let r = (weekend ? 4000 : 10000) * (1 + 0.05 * gauss());
    let s = (night ? 90 : 60) * (1 + 0.1 * gauss());
    const injected = rnd() < 0.05;
    if (injected) {
      if (rnd() < 0.5) r *= 0.5;
      else s *= 3;
    }
    const flagged =
      evaluate(r, at, rows.slice(-HISTORY_LIMIT), t).anomalous || evaluate(s, at, durations.slice(-HISTORY_LIMIT), { ...t, absoluteMadFloor: 1 }).anomalous;
    if (h >= warmupDays * 24) {
      if (flagged && injected) tp++;
      else if (flagged) fp++;
      else if (injected) fn++;
    }
    rows.push({ value: r, at });
    durations.push({ value: s, at });
  }
  return { precision: tp / Math.max(1, tp + fp), recall: tp / Math.max(1, tp + fn), tp, fp, fn };
}

it("detects injected anomalies with precision and recall ≥ 0.8 after a week of history", () => {
  const results = [1, 2, 3].map((seed) => ({ seed, ...measure(seed, 7) }));
  for (const r of results) {
    console.log(`seed ${r.seed} (days 8–60): precision ${r.precision.toFixed(3)} recall ${r.recall.toFixed(3)} (tp ${r.tp}, fp ${r.fp}, fn ${r.fn})`);
    expect(r.precision).toBeGreaterThanOrEqual(0.8);
    expect(r.recall).toBeGreaterThanOrEqual(0.8);
  }
  const all = measure(1, 0);
  console.log(
    `seed 1 (all 60 days, first week included): precision ${all.precision.toFixed(3)} recall ${all.recall.toFixed(3)} (tp ${all.tp}, fp ${all.fp}, fn ${all.fn})`,
  );
});
