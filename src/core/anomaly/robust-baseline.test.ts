import { describe, expect, it } from "vitest";
import { baselineFor, DEFAULT_THRESHOLDS, evaluate, mad, median, robustZ, type MetricPoint } from "./robust-baseline.js";

const HOUR = 3_600_000;
// Monday 2026-11-02 00:00 UTC.
const MONDAY = Date.UTC(2026, 10, 2);

describe("median and MAD", () => {
  it("median of odd and even counts; NaN when empty", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
  it("MAD is the median of absolute deviations", () => {
    expect(mad([1, 2, 3, 4, 100])).toBe(1);
    expect(robustZ(13, 10, 0.6745)).toBeCloseTo(3);
  });
});

describe("evaluate", () => {
  const steady = (n: number, f: (i: number) => number): MetricPoint[] => Array.from({ length: n }, (_, i) => ({ value: f(i), at: MONDAY + i * HOUR }));

  it("flags a 50% drop with its evidence and leaves noise alone", () => {
    const history = steady(30, (i) => 1000 + ((i * 37) % 21) - 10);
    const at = MONDAY + 30 * HOUR;
    const drop = evaluate(500, at, history);
    expect(drop.anomalous).toBe(true);
    expect(drop.score).toBeLessThan(-3.5);
    expect(drop.baseline).toMatchObject({ points: 30, season: "none" });
    expect(drop.baseline.median).toBeCloseTo(1000, -1);
    expect(evaluate(1008, at, history).anomalous).toBe(false);
  });

  it("needs minPoints past points", () => {
    const history = steady(DEFAULT_THRESHOLDS.minPoints - 1, () => 1000);
    expect(evaluate(10, MONDAY, history).anomalous).toBe(false);
    expect(
      evaluate(
        10,
        MONDAY,
        steady(DEFAULT_THRESHOLDS.minPoints, () => 1000),
      ).anomalous,
    ).toBe(true);
  });

  it("floors the MAD: a constant history does not make every change an anomaly", () => {
    const history = steady(20, () => 100);
    const e = evaluate(103, MONDAY, history);
    expect(e.baseline.mad).toBe(0);
    expect(e.baseline.madUsed).toBe(5); // 5% of the median
    expect(e.anomalous).toBe(false);
    expect(evaluate(150, MONDAY, history).anomalous).toBe(true);
    // The absolute floor (1 s for durations): 0.3 s against 0.1 s is no anomaly.
    expect(
      evaluate(
        0.3,
        MONDAY,
        steady(20, () => 0.1),
        { ...DEFAULT_THRESHOLDS, absoluteMadFloor: 1 },
      ).anomalous,
    ).toBe(false);
  });

  it("uses the weekday's subset when weekends differ, and the last points when no season shows", () => {
    // Three weeks hourly: weekdays ~10000 rows, weekends ~4000.
    const history: MetricPoint[] = [];
    for (let h = 0; h < 21 * 24; h++) {
      const at = MONDAY + h * HOUR;
      const day = new Date(at).getUTCDay();
      history.push({ value: (day === 0 || day === 6 ? 4000 : 10000) + ((h * 53) % 201) - 100, at });
    }
    const saturday = MONDAY + 21 * 24 * HOUR + 5 * 24 * HOUR + 3 * HOUR; // Saturday of week 4
    const b = baselineFor(history, saturday);
    expect(b.season).not.toBe("none");
    expect(b.median).toBeCloseTo(4000, -2);
    expect(evaluate(4050, saturday, history).anomalous).toBe(false);
    expect(evaluate(2000, saturday, history).anomalous).toBe(true);
    const tuesday = MONDAY + 22 * 24 * HOUR + 10 * HOUR;
    expect(baselineFor(history, tuesday)).toMatchObject({ season: "weekday", points: 30 });
    expect(baselineFor(history, tuesday).median).toBeCloseTo(10000, -2);
    // Without weekly or daily differences, the last 30 points whatever their day.
    const flat = history.map((p) => ({ ...p, value: 10000 + (p.value % 100) }));
    expect(baselineFor(flat, saturday)).toMatchObject({ season: "none", points: 30 });
  });

  it("uses the hour of the day when nights differ", () => {
    const history: MetricPoint[] = [];
    for (let h = 0; h < 10 * 24; h++) {
      const at = MONDAY + h * HOUR;
      const hour = new Date(at).getUTCHours();
      history.push({ value: (hour >= 2 && hour < 5 ? 90 : 60) + (h % 5), at });
    }
    const night = MONDAY + 10 * 24 * HOUR + 3 * HOUR;
    expect(baselineFor(history, night)).toMatchObject({ season: "hour_of_day", points: 10 });
    expect(evaluate(93, night, history).anomalous).toBe(false);
    expect(evaluate(270, night, history).anomalous).toBe(true);
  });
});
