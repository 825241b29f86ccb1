import { describe, expect, it } from "vitest";
import type { Anomaly } from "../../core/anomaly/anomaly.js";
import type { StoreUnderTest } from "./store-under-test.js";

const T0 = 1_700_000_000_000;

const anomaly = (over: Partial<Anomaly> = {}): Anomaly => ({
  dagId: "sales",
  runId: "r1",
  runPk: 1,
  taskId: "load",
  mapIndex: -1,
  tryNumber: 1,
  metric: "rows",
  value: 512.5,
  median: 1000.25,
  mad: 12.5,
  score: -26.3,
  points: 30,
  season: "weekday",
  detectedAt: T0,
  ...over,
});

export function describeAnomaliesContract(sut: StoreUnderTest): void {
  describe("anomalies", () => {
    it("keeps an attempt's metrics once and reads a task's history newest first, before a time", async () => {
      const s = sut.store.anomalies;
      for (let i = 0; i < 5; i++) {
        await s.recordAttemptMetrics({
          dagId: "sales",
          runId: `r${i}`,
          runPk: i + 1,
          taskId: "load",
          mapIndex: -1,
          tryNumber: 1,
          at: T0 + i * 1000,
          values: { duration: 1.5 + i, rows: 100 * i },
        });
      }
      // A repeat (another scheduler) keeps the first values.
      await s.recordAttemptMetrics({ dagId: "sales", runId: "r0", runPk: 1, taskId: "load", mapIndex: -1, tryNumber: 1, at: T0, values: { duration: 99 } });
      await s.recordAttemptMetrics({ dagId: "sales", runId: "r0", runPk: 1, taskId: "other", mapIndex: -1, tryNumber: 1, at: T0, values: { duration: 7 } });
      expect(await s.metricHistory({ dagId: "sales", taskId: "load", metric: "duration", before: T0 + 3000, limit: 10 })).toEqual([
        { value: 3.5, at: T0 + 2000 },
        { value: 2.5, at: T0 + 1000 },
        { value: 1.5, at: T0 },
      ]);
      expect(await s.metricHistory({ dagId: "sales", taskId: "load", metric: "rows", before: T0 + 10_000, limit: 2 })).toEqual([
        { value: 400, at: T0 + 4000 },
        { value: 300, at: T0 + 3000 },
      ]);
    });

    it("records an anomaly once per attempt and metric, lists newest first with filters, counts per DAG", async () => {
      const s = sut.store.anomalies;
      const first = await s.recordAnomaly(anomaly());
      expect(first).toEqual({ id: expect.any(Number), ...anomaly() });
      const racing = await Promise.all(Array.from({ length: 4 }, () => s.recordAnomaly(anomaly({ detectedAt: T0 + 1 }))));
      expect(racing.filter((r) => r !== undefined)).toHaveLength(0);
      const duration = await s.recordAnomaly(anomaly({ metric: "duration", value: 300, median: 60, mad: 4, score: 40.5, season: "none", detectedAt: T0 + 10 }));
      const other = await s.recordAnomaly(anomaly({ dagId: "hr", runPk: 2, detectedAt: T0 + 20 }));
      expect((await s.listAnomalies({})).map((a) => a.id)).toEqual([other!.id, duration!.id, first!.id]);
      expect(await s.listAnomalies({ dagId: "sales", since: T0 + 5 })).toEqual([duration]);
      expect(await s.listAnomalies({ beforeId: other!.id, limit: 1 })).toEqual([duration]);
      expect(await s.countAnomaliesByDag(T0)).toEqual({ sales: 2, hr: 1 });
      expect(await s.countAnomaliesByDag(T0 + 15)).toEqual({ hr: 1 });
    });
  });
}
