import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunRecord } from "../../src/core/model/records.js";
import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import { HEADER, type Harness } from "../support/harness.js";
import { disposeOnManualClock, GATE, LoadedDags, openGate, runWhen, startOnManualClock } from "../support/manual-scheduler.js";
import { HOUR, MINUTE, runFor, until } from "../support/manual-time.js";

// Regression: with catchup, the scheduler queued every missed run at once (50 a tick, years of
// hourly runs for a DAG started in 2020). Airflow creates a DAG's next scheduled run only while
// fewer than max_active_runs of its runs are active (queued or running, any type but a
// backfill's), and goes on as they end (SchedulerJobRunner._should_update_dag_next_dagruns).

let dags: LoadedDags;
beforeAll(async () => {
  const body = `async (ctx) => { await ${GATE}(ctx.runId); return 1; }`;
  dags = await LoadedDags.load({
    "one.ts": `${HEADER}export default dag({ id: "one", schedule: "0 * * * *", startDate: "2020-01-01", catchup: true, maxActiveRuns: 1 }, (d) => { d.task("t", ${body}); });\n`,
    "three.ts": `${HEADER}export default dag({ id: "three", schedule: "0 * * * *", startDate: "2020-01-01", catchup: true, maxActiveRuns: 3 }, (d) => { d.task("t", ${body}); });\n`,
  });
});
afterAll(() => dags?.dispose());

let h: Harness | undefined;
let clock: ManualClock | undefined;
afterEach(async () => {
  await disposeOnManualClock(h, clock);
  h = clock = undefined;
});

const START = Date.UTC(2020, 0, 1);

async function runsOf(h: Harness, dagId: string, runType = "scheduled"): Promise<RunRecord[]> {
  const runs = await h.store.listRuns({ dagId, limit: 1_000 });
  return runs.filter((r) => r.runType === runType).sort((a, b) => a.logicalDate! - b.logicalDate!);
}

describe("catch-up creates runs within maxActiveRuns", () => {
  it("maxActiveRuns 1, years behind: one run is created, and the next only once it has ended", async () => {
    ({ h, clock } = await startOnManualClock(dags, { scheduler: { createScheduledRuns: true } }));
    const first = await until(clock, "the first scheduled run", async () => (await runsOf(h!, "one"))[0]);
    expect(first.logicalDate).toBe(START);
    await runWhen(h, clock, first.id, "running");
    await runFor(clock, 10 * MINUTE); // ten ticks
    expect((await runsOf(h, "one")).map((r) => r.logicalDate)).toEqual([START]);

    openGate(first.runId);
    const ended = await runWhen(h, clock, first.id, "success");
    await runFor(clock, MINUTE);
    const runs = await runsOf(h, "one");
    expect(runs.map((r) => r.logicalDate)).toEqual([START, START + HOUR]);
    expect(runs[1]!.createdAt).toBeGreaterThanOrEqual(ended.endedAt!);
    expect((await h.store.getDag("one"))?.lastScheduledLogicalDate).toBe(START + HOUR);
  });

  it("maxActiveRuns 3: three at once; a manual run takes a place, a backfill's runs take none", async () => {
    const s = await startOnManualClock(dags, { scheduler: { createScheduledRuns: true } });
    ({ h, clock } = s);
    const three = await until(clock, "three scheduled runs running", async () => {
      const runs = await runsOf(h!, "three");
      return runs.length === 3 && runs.every((r) => r.state === "running") ? runs : undefined;
    });
    expect(three.map((r) => r.logicalDate)).toEqual([START, START + HOUR, START + 2 * HOUR]);

    // A manual run queues behind them: four active, no scheduled run is created.
    const manual = await h.trigger("three", {}, s.t0);
    openGate(three[0]!.runId);
    await runWhen(h, clock, three[0]!.id, "success");
    await runWhen(h, clock, manual.id, "running");
    await runFor(clock, 5 * MINUTE);
    expect(await runsOf(h, "three")).toHaveLength(3);

    // A backfill's two running runs do not count: the manual run's end makes room for one.
    const bf = await h.store.createBackfill({
      dagId: "three",
      fromDate: Date.UTC(2024, 0, 1),
      toDate: Date.UTC(2024, 0, 1, 1),
      reprocess: "none",
      maxActiveRuns: 2,
      conf: {},
    });
    h.scheduler.wake();
    await until(clock, "the backfill's two runs running", async () => {
      const runs = await h!.store.listRuns({ backfillId: bf.id });
      return runs.length === 2 && runs.every((r) => r.state === "running") ? runs : undefined;
    });
    openGate(manual.runId);
    await runWhen(h, clock, manual.id, "success");
    await runFor(clock, MINUTE);
    const runs = await runsOf(h, "three");
    expect(runs.map((r) => r.logicalDate)).toEqual([START, START + HOUR, START + 2 * HOUR, START + 3 * HOUR]);
    await runFor(clock, 5 * MINUTE);
    expect(await runsOf(h, "three")).toHaveLength(4);
  });
});
