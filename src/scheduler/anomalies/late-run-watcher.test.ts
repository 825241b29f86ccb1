import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AnomalyRecord } from "../../core/anomaly/anomaly.js";
import type { RunStateChanged } from "../../core/model/domain-events.js";
import type { RunState } from "../../core/model/states.js";
import { silentLogger } from "../../core/ports/logger.js";
import { ManualClock } from "../../core/testing/manual-clock.js";
import { newRun } from "../../store/contract/fixtures.js";
import type { FullStore } from "../../store/full-store.js";
import { openSqliteStore } from "../../store/sqlite/open-sqlite-store.js";
import { LANDING, LateRunWatcher } from "./late-run-watcher.js";

const MIN = 60_000;
const HOUR = 60 * MIN;
// Intervals end on the hour; past runs landed 10 min (± 1) after.
const T0 = Date.UTC(2026, 10, 2);

let store: FullStore;
let clock: ManualClock;
let watcher: LateRunWatcher;
let found: AnomalyRecord[];

beforeEach(async () => {
  store = await openSqliteStore(join(mkdtempSync(join(tmpdir(), "baton-late-")), "baton.db"));
  clock = new ManualClock(T0);
  found = [];
  watcher = new LateRunWatcher({ store, anomalies: store.anomalies, clock, logger: silentLogger, onAnomaly: (a) => found.push(a) });
});
afterEach(async () => {
  await watcher.stop(1_000);
  await store.close();
});

function event(runPk: number, runId: string, before: RunState, after: RunState): RunStateChanged {
  return { kind: "run_state_changed", dagId: "hourly", runId, runPk, before, after, at: clock.now(), note: null };
}

/** `n` past scheduled runs, each started at its interval end and announced a success ~10 min later. */
async function history(n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    const end = T0 + i * HOUR;
    const runId = `scheduled__${i}`;
    const run = (await store.createRun(
      newRun("hourly", runId, { runType: "scheduled", dataIntervalStart: end - HOUR, dataIntervalEnd: end, logicalDate: end - HOUR }),
      [],
    ))!;
    clock.advance(end - clock.now());
    watcher.listener(event(run.id, runId, "queued", "running"));
    await watcher.idle();
    clock.advance(10 * MIN + ((i * 7) % 5) * 15_000);
    watcher.listener(event(run.id, runId, "running", "success"));
    await watcher.idle();
  }
}

async function current(i: number): Promise<{ runPk: number; runId: string; end: number }> {
  const end = T0 + i * HOUR;
  const runId = `scheduled__${i}`;
  const run = (await store.createRun(
    newRun("hourly", runId, { runType: "scheduled", dataIntervalStart: end - HOUR, dataIntervalEnd: end, logicalDate: end - HOUR }),
    [],
  ))!;
  clock.advance(end - clock.now());
  watcher.listener(event(run.id, runId, "queued", "running"));
  await watcher.idle();
  return { runPk: run.id, runId, end };
}

describe("LateRunWatcher", () => {
  it("stores each scheduled run's landing, and records a run still going past its usual landing once", async () => {
    await history(20);
    const landings = await store.anomalies.metricHistory({ dagId: "hourly", taskId: "", metric: LANDING, before: T0 + 100 * HOUR, limit: 100 });
    expect(landings).toHaveLength(20);
    expect(landings[0]!.value).toBeGreaterThanOrEqual(600);
    const run = await current(20);
    clock.advance(11 * MIN); // within the usual spread
    await watcher.idle();
    expect(found).toEqual([]);
    clock.advance(20 * MIN);
    await watcher.idle();
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({
      dagId: "hourly",
      runId: run.runId,
      runPk: run.runPk,
      taskId: "",
      mapIndex: -1,
      tryNumber: 0,
      metric: LANDING,
      points: 20,
      season: "none",
    });
    expect(found[0]!.value).toBeGreaterThan(found[0]!.median);
    expect(found[0]!.score).toBeGreaterThanOrEqual(3.5);
    clock.advance(5 * HOUR);
    await watcher.idle();
    expect(await store.anomalies.listAnomalies({})).toHaveLength(1);
  });

  it("records nothing when the run ends in time, for manual runs, or without enough history", async () => {
    await history(5);
    const early = await current(5);
    clock.advance(30 * MIN); // only 5 landings: not watched
    await watcher.idle();
    watcher.listener(event(early.runPk, early.runId, "running", "success"));
    await watcher.idle();
    for (let i = 6; i < 12; i++) {
      const r = await current(i);
      clock.advance(10 * MIN);
      watcher.listener(event(r.runPk, r.runId, "running", "success"));
      await watcher.idle();
    }
    const onTime = await current(12);
    clock.advance(9 * MIN);
    watcher.listener(event(onTime.runPk, onTime.runId, "running", "failed"));
    clock.advance(3 * HOUR);
    await watcher.idle();
    const manual = (await store.createRun(newRun("hourly", "manual__1", { runType: "manual" }), []))!;
    watcher.listener(event(manual.id, "manual__1", "queued", "running"));
    clock.advance(3 * HOUR);
    await watcher.idle();
    expect(found).toEqual([]);
  });
});
