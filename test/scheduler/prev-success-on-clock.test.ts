import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RunRecord } from "../../src/core/model/records.js";
import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import { HEADER, type Harness } from "../support/harness.js";
import { disposeOnManualClock, GATE, LoadedDags, openGate, runWhen, startOnManualClock, tiWhen } from "../support/manual-scheduler.js";
import { HOUR, MINUTE, runFor, until } from "../support/manual-time.js";

// ctx.prevSuccess and the prev_*_success template variables (Airflow's previous successful run:
// the latest earlier run by logical date whose state is success) through the real scheduler on a
// manual clock. Task "t" of each run waits on a gate named after its run id; "u" after it reports
// what it sees, once through ctx and once through a shell template.

let dags: LoadedDags;
beforeAll(async () => {
  dags = await LoadedDags.load({
    "two.ts":
      `${HEADER}export default dag({ id: "two", schedule: "0 * * * *", startDate: "2020-01-01", catchup: true, maxActiveRuns: 2 }, (d) => {\n` +
      `  const t = d.task("t", async (ctx) => { await ${GATE}(ctx.runId); if (ctx.conf.fail) throw new FailTask("told to"); return 1; });\n` +
      `  const u = d.task("u", { after: t }, async (ctx) => ctx.prevSuccess && { runId: ctx.prevSuccess.runId, start: ctx.prevSuccess.dataInterval.start?.getTime(), end: ctx.prevSuccess.dataInterval.end?.getTime(), startedAt: ctx.prevSuccess.startedAt?.getTime(), endedAt: ctx.prevSuccess.endedAt?.getTime() });\n` +
      `  d.shell("s", { after: t, command: "echo {{ prev_data_interval_start_success }} {{ prev_data_interval_end_success }} {{ prev_start_date_success }} {{ prev_end_date_success }}" });\n` +
      `});\n`,
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
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "+00:00");

async function valueOf(h: Harness, run: RunRecord, taskId: string): Promise<unknown> {
  const ti = (await h.store.listTaskInstances(run.id)).find((t) => t.taskId === taskId);
  return ti?.output == null ? undefined : JSON.parse(ti.output);
}

describe("the previous successful run", () => {
  it("none for the first run; a run that was already running sees an earlier run that succeeded meanwhile, in ctx and templates", async () => {
    ({ h, clock } = await startOnManualClock(dags, { scheduler: { createScheduledRuns: true } }));
    const [first, second] = await until(clock, "two scheduled runs running", async () => {
      const runs = (await h!.store.listRuns({ dagId: "two" })).sort((a, b) => a.logicalDate! - b.logicalDate!);
      return runs.length === 2 && runs.every((r) => r.state === "running") ? runs : undefined;
    });
    expect(second!.logicalDate).toBe(START + HOUR);

    // The second run started before the first ended: it learns of the first's success.
    await runFor(clock, 10 * MINUTE);
    openGate(first!.runId);
    const ended = await runWhen(h, clock, first!.id, "success");
    expect(await valueOf(h, first!, "u")).toBeNull();
    expect(await valueOf(h, first!, "s")).toBe("null null null null");

    openGate(second!.runId);
    await runWhen(h, clock, second!.id, "success");
    expect(await valueOf(h, second!, "u")).toEqual({
      runId: first!.runId,
      start: START,
      end: START + HOUR,
      startedAt: ended.startedAt,
      endedAt: ended.endedAt,
    });
    expect(await valueOf(h, second!, "s")).toBe(`${iso(START)} ${iso(START + HOUR)} ${iso(ended.startedAt!)} ${iso(ended.endedAt!)}`);
  });

  it("a failed run in between is passed over; a manual run that succeeded counts", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const ok = await h.trigger("two", {}, s.t0 - 3 * HOUR);
    openGate(ok.runId);
    const okEnded = await runWhen(h, clock, ok.id, "success");
    const bad = await h.trigger("two", { fail: true }, s.t0 - 2 * HOUR);
    openGate(bad.runId);
    await runWhen(h, clock, bad.id, "failed");

    const later = await h.trigger("two", {}, s.t0 - HOUR);
    await tiWhen(h, clock, later.id, "t", (x) => x.state === "running");
    openGate(later.runId);
    await runWhen(h, clock, later.id, "success");
    expect(await valueOf(h, later, "u")).toMatchObject({ runId: ok.runId, endedAt: okEnded.endedAt });
  });
});
