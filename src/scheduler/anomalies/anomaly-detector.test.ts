import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AnomalyRecord } from "../../core/anomaly/anomaly.js";
import type { AttemptStateChanged } from "../../core/model/domain-events.js";
import { silentLogger } from "../../core/ports/logger.js";
import type { Executor } from "../../core/ports/executor.js";
import { ManualClock } from "../../core/testing/manual-clock.js";
import { InProcessExecutor } from "../../executor/in-process-executor.js";
import { makeRequest, RecordingListener, tempDir, writeDagModule } from "../../executor/testing/dag-fixtures.js";
import type { FullStore } from "../../store/full-store.js";
import { openSqliteStore } from "../../store/sqlite/open-sqlite-store.js";
import { AnomalyDetector } from "./anomaly-detector.js";

const HOUR = 3_600_000;
const TASKS = `{
  load: { kind: "function", async run(ctx) { ctx.metric("rows", ctx.params.rows); return null; } },
  broken: { kind: "function", async run() { throw new Error("no"); } },
}`;

let store: FullStore;
let executor: Executor;
let detector: AnomalyDetector;
let found: AnomalyRecord[];
let listener: RecordingListener;
let bundlePath: string;
let logDir: string;
const clock = new ManualClock(Date.UTC(2026, 11, 3, 12));

beforeEach(async () => {
  store = await openSqliteStore(join(mkdtempSync(join(tmpdir(), "baton-anomalies-")), "baton.db"));
  const dir = tempDir();
  bundlePath = writeDagModule(dir, "d", TASKS);
  logDir = `${dir}/logs`;
  found = [];
  detector = new AnomalyDetector({ anomalies: store.anomalies, clock, logger: silentLogger, onAnomaly: (a) => found.push(a) });
  executor = detector.observe(new InProcessExecutor({ concurrency: 1, echoOutput: false }));
  listener = new RecordingListener();
  await executor.start(listener);
});
afterEach(async () => {
  await executor.shutdown(1_000);
  await detector.stop(1_000);
  await store.close();
});

/** 30 past hourly tries of d.load: ~1000 rows, durations well under a second. */
async function seedHistory(): Promise<void> {
  const now = Date.now();
  for (let i = 1; i <= 30; i++) {
    await store.anomalies.recordAttemptMetrics({
      dagId: "d",
      runId: `past_${i}`,
      runPk: 100_000 + i,
      taskId: "load",
      mapIndex: -1,
      tryNumber: 1,
      at: now - i * HOUR,
      values: { rows: 1000 + ((i * 7) % 11) - 5, duration: 0.05 },
    });
  }
}

/** Runs one attempt for real and announces its end as the scheduler would once it is recorded. */
async function attempt(taskId: string, params: Record<string, unknown>, after: "success" | "failed" = "success") {
  const request = makeRequest({ bundlePath, logDir, taskId, params });
  executor.submit(request);
  const report = await listener.finishedOf(request.attemptId);
  const event: AttemptStateChanged = {
    kind: "attempt_state_changed",
    dagId: "d",
    runId: request.context.runId,
    runPk: request.runPk,
    taskId,
    mapIndex: -1,
    tryNumber: 1,
    before: "running",
    after,
    at: report.endedAt,
    error: null,
  };
  detector.listener(event);
  await detector.idle();
  return { request, report };
}

describe("AnomalyDetector", () => {
  it("records a 50% row drop with its evidence, once, and keeps the attempt's values", async () => {
    await seedHistory();
    const { request } = await attempt("load", { rows: 500 });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      dagId: "d",
      runId: request.context.runId,
      runPk: request.runPk,
      taskId: "load",
      mapIndex: -1,
      tryNumber: 1,
      metric: "rows",
      value: 500,
      median: 1000,
      points: 30,
      season: "none",
      detectedAt: clock.now(),
    });
    expect(found[0]!.score).toBeLessThan(-3.5);
    expect(await store.anomalies.listAnomalies({ dagId: "d" })).toEqual(found);
    const history = await store.anomalies.metricHistory({ dagId: "d", taskId: "load", metric: "rows", before: Date.now() + HOUR, limit: 1 });
    expect(history[0]!.value).toBe(500);
    expect(await store.anomalies.metricHistory({ dagId: "d", taskId: "load", metric: "duration", before: Date.now() + HOUR, limit: 31 })).toHaveLength(31);
  });

  it("records nothing for a usual value, a failure, or too little history", async () => {
    await attempt("load", { rows: 1 }); // no history yet
    await seedHistory();
    await attempt("load", { rows: 1004 });
    await attempt("broken", {}, "failed");
    expect(found).toEqual([]);
    expect(await store.anomalies.listAnomalies({})).toEqual([]);
  });

  it("ignores events of attempts it did not see, and its listener never waits", async () => {
    await seedHistory();
    const start = performance.now();
    for (let i = 0; i < 1000; i++) {
      detector.listener({
        kind: "attempt_state_changed",
        dagId: "d",
        runId: "x",
        runPk: i,
        taskId: "load",
        mapIndex: -1,
        tryNumber: 1,
        before: "running",
        after: "success",
        at: 0,
        error: null,
      });
    }
    expect(performance.now() - start).toBeLessThan(200);
    await detector.idle();
    expect(await store.anomalies.listAnomalies({})).toEqual([]);
  });
});
