import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import type { RunRecord } from "../../src/core/model/records.js";
import { gatherRunFacts } from "../../src/api/explain/explain-facts.js";
import { explainRun } from "../../src/core/explain/explain-run.js";
import { HEADER, type Harness } from "../support/harness.js";
import { commandOnClock, disposeOnManualClock, GATE, LoadedDags, openGate, runWhen, startOnManualClock } from "../support/manual-scheduler.js";
import { MINUTE, runFor, until } from "../support/manual-time.js";

// Pausing a backfill (docs/scheduling.md#pausing-a-backfill) through the real scheduler on a manual
// clock: a paused backfill starts none of its queued runs, whatever the time; its running runs
// finish; the DAG's own runs go on; unpaused, it runs to its end. Each backfill run waits on a gate
// named after its run id, so a run lasts exactly as long as the test decides.

let dags: LoadedDags;
beforeAll(async () => {
  dags = await LoadedDags.load({
    "hourly.ts": `${HEADER}export default dag({ id: "hourly", schedule: "0 * * * *", startDate: "2025-01-01", catchup: false }, (d) => {\n  d.task("t", async (ctx) => { await ${GATE}(ctx.runId); return 1; });\n});\n`,
  });
});
afterAll(() => dags?.dispose());

let h: Harness | undefined;
let clock: ManualClock | undefined;
afterEach(async () => {
  await disposeOnManualClock(h, clock);
  h = clock = undefined;
});

const FROM = Date.UTC(2025, 0, 1);
const HOUR = 3_600_000;

async function runsOf(h: Harness, backfillId: number): Promise<RunRecord[]> {
  return h.store.listRuns({ backfillId, limit: 100 });
}

function byState(runs: RunRecord[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of runs) out[r.state] = (out[r.state] ?? 0) + 1;
  return out;
}

describe("pausing a backfill, on a manual clock", () => {
  it("paused: no new run starts, running ones finish, the DAG's own runs go on; unpaused: it runs to its end", async () => {
    ({ h, clock } = await startOnManualClock(dags));
    const b = await h.store.createBackfill({ dagId: "hourly", fromDate: FROM, toDate: FROM + 5 * HOUR, reprocess: "none", maxActiveRuns: 2, conf: {} });
    h.scheduler.wake();
    const first = await until(clock, "two backfill runs running", async () => {
      const running = (await runsOf(h!, b.id)).filter((r) => r.state === "running");
      return running.length === 2 ? running : undefined;
    });
    expect(byState(await runsOf(h, b.id))).toEqual({ running: 2, queued: 4 });

    // Paused while two run: they finish; none of the four queued starts, tick after tick.
    expect(await h.store.setBackfillPaused(b.id, true)).toMatchObject({ state: "running", paused: true });
    for (const r of first) openGate(r.runId);
    for (const r of first) await runWhen(h, clock, r.id, "success");
    for (let i = 0; i < 5; i++) {
      h.scheduler.wake();
      await runFor(clock, 10 * MINUTE);
    }
    expect(byState(await runsOf(h, b.id))).toEqual({ success: 2, queued: 4 });
    expect(await h.store.getBackfill(b.id)).toMatchObject({ state: "running", paused: true });
    // "Why is it waiting?" (docs/explain.md) names the pause.
    const waiting = (await runsOf(h, b.id)).filter((r) => r.state === "queued").sort((x, y) => x.logicalDate! - y.logicalDate!);
    const why = async (r: RunRecord) => explainRun(await gatherRunFacts({ store: h!.store, now: clock!.now() }, "hourly", r.runId)).reasons.map((x) => x.code);
    expect(await why(waiting[0]!)).toEqual(["backfill_paused"]);
    expect(await why(waiting[3]!)).toEqual(["backfill_paused", "queued_behind"]);

    // The DAG itself is not paused: a manual run starts and finishes meanwhile.
    const manual = await h.trigger("hourly", {}, clock.now());
    openGate(manual.runId);
    expect((await runWhen(h, clock, manual.id, "success")).backfillId).toBeNull();
    expect(byState(await runsOf(h, b.id))).toEqual({ success: 2, queued: 4 });

    // Unpaused: the queued runs start again, two at a time, oldest first, until the backfill is done.
    await h.store.setBackfillPaused(b.id, false);
    h.scheduler.wake();
    const rest = (await runsOf(h, b.id)).filter((r) => r.state === "queued").sort((x, y) => x.logicalDate! - y.logicalDate!);
    const next = await until(clock, "the next two running", async () => {
      const running = (await runsOf(h!, b.id)).filter((r) => r.state === "running");
      return running.length === 2 ? running : undefined;
    });
    expect(next.map((r) => r.runId).sort()).toEqual(
      rest
        .slice(0, 2)
        .map((r) => r.runId)
        .sort(),
    );
    for (const r of rest) openGate(r.runId);
    const done = await until(clock, "the backfill done", async () => {
      h!.scheduler.wake();
      await runFor(clock!, MINUTE);
      const got = await h!.store.getBackfill(b.id);
      return got?.state === "done" ? got : undefined;
    });
    expect(done).toMatchObject({ paused: false, endedAt: expect.any(Number) });
    expect(byState(await runsOf(h, b.id))).toEqual({ success: 6 });
  });

  it("paused before the scheduler plans it: its runs are created and all stay queued; cancelled while paused, they fail", async () => {
    ({ h, clock } = await startOnManualClock(dags));
    const b = await h.store.createBackfill({ dagId: "hourly", fromDate: FROM, toDate: FROM + 2 * HOUR, reprocess: "none", maxActiveRuns: 3, conf: {} });
    await h.store.setBackfillPaused(b.id, true);
    h.scheduler.wake();
    await until(clock, "the backfill planned", async () => ((await h!.store.getBackfill(b.id))?.state === "running" ? true : undefined));
    for (let i = 0; i < 3; i++) {
      h.scheduler.wake();
      await runFor(clock, 10 * MINUTE);
    }
    expect(byState(await runsOf(h, b.id))).toEqual({ queued: 3 });

    expect(await commandOnClock(h, clock, "cancel_backfill", { backfillId: b.id })).toBe("ok: cancelled; 3 queued run(s) failed");
    await until(clock, "the runs failed", async () => (byState(await runsOf(h!, b.id)).failed === 3 ? true : undefined));
    expect(await h.store.getBackfill(b.id)).toMatchObject({ state: "cancelled", paused: true });
    expect(await h.store.setBackfillPaused(b.id, false)).toMatchObject({ state: "cancelled", paused: true });
  });
});
