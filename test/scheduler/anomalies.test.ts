import { afterEach, expect, it } from "vitest";
import { silentLogger } from "../../src/core/ports/logger.js";
import { systemClock } from "../../src/core/ports/clock.js";
import { LocalProcessExecutor } from "../../src/executor/local-process-executor.js";
import { AnomalyDetector } from "../../src/scheduler/anomalies/anomaly-detector.js";
import type { FullStore } from "../../src/store/full-store.js";
import { HEADER, Harness } from "../support/harness.js";

/**
 * The detector on a real scheduler with the local process pool (run `npx tsc -p
 * tsconfig.build.json` first): `ctx.metric` values travel with the worker's report, the
 * scheduler's success event queues the check, and a 50% row drop is recorded with its evidence.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

const HOUR = 3_600_000;

it("records a 50% row drop reported with ctx.metric, and nothing for usual rows", async () => {
  h = new Harness({
    "sales.ts": `${HEADER}export default dag({ id: "sales" }, (d) => {
      d.task("load", async (ctx) => { ctx.metric("rows", Number(ctx.conf.rows)); return null; });
    });`,
  });
  await h.load();
  const store = h.store as FullStore;
  const now = Date.now();
  for (let i = 1; i <= 30; i++) {
    await store.anomalies.recordAttemptMetrics({
      dagId: "sales",
      runId: `past_${i}`,
      runPk: 1_000_000 + i,
      taskId: "load",
      mapIndex: -1,
      tryNumber: 1,
      at: now - i * HOUR,
      values: { rows: 1000 + (i % 7) * 3, duration: 0.2 },
    });
  }
  const found: string[] = [];
  const detector = new AnomalyDetector({
    anomalies: store.anomalies,
    clock: systemClock,
    logger: silentLogger,
    onAnomaly: (a) => found.push(`${a.runId}:${a.metric}`),
  });
  await h.start({ executor: detector.observe(new LocalProcessExecutor({ processes: 1, prefetch: 1, killGraceMs: 200 })) });
  h.scheduler.onDomainEvent(detector.listener);

  const usual = await h.runToEnd("sales", { rows: 1004 });
  expect(usual.states).toEqual({ load: "success" });
  const drop = await h.runToEnd("sales", { rows: 500 });
  expect(drop.states).toEqual({ load: "success" });
  for (let i = 0; i < 200 && found.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  await detector.idle();

  const anomalies = await store.anomalies.listAnomalies({ dagId: "sales" });
  expect(anomalies).toHaveLength(1);
  expect(anomalies[0]).toMatchObject({ runId: drop.run.runId, runPk: drop.run.id, taskId: "load", metric: "rows", value: 500, points: 30, season: "none" });
  expect(anomalies[0]!.score).toBeLessThan(-3.5);
  expect(found).toEqual([`${drop.run.runId}:rows`]);
  // Both runs' values are kept: rows and the duration Baton measured.
  const rows = await store.anomalies.metricHistory({ dagId: "sales", taskId: "load", metric: "rows", before: Date.now() + HOUR, limit: 2 });
  expect(rows.map((p) => p.value)).toEqual([500, 1004]);
  const durations = await store.anomalies.metricHistory({ dagId: "sales", taskId: "load", metric: "duration", before: Date.now() + HOUR, limit: 1 });
  expect(durations[0]!.value).toBeGreaterThanOrEqual(0);
  await detector.stop(1_000);
});
