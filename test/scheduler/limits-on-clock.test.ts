import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import { HEADER, type Harness } from "../support/harness.js";
import { disposeOnManualClock, GATE, LoadedDags, openGate, runWhen, startOnManualClock, tiWhen } from "../support/manual-scheduler.js";
import { HOUR, MINUTE, runFor, until } from "../support/manual-time.js";

// depends_on_past, maxActiveRuns and a pool of one through the real scheduler on a manual clock.
// Each task waits on a gate the test opens, so it lasts exactly as long as the test decides.

let dags: LoadedDags;
beforeAll(async () => {
  const gated = (id: string, opts = "{}") => `d.task("${id}", ${opts}, async (ctx) => { await ${GATE}(ctx.runId + "/${id}"); return ctx.runId; });`;
  dags = await LoadedDags.load(
    {
      "past.ts": `${HEADER}export default dag({ id: "past", schedule: "@hourly", startDate: "2020-01-01", catchup: false }, (d) => { ${gated("t", "{ dependsOnPast: true }")} });\n`,
      "runs.ts": `${HEADER}export default dag({ id: "runs", maxActiveRuns: 2 }, (d) => { ${gated("t")} });\n`,
      "pool.ts": `${HEADER}export default dag({ id: "pool" }, (d) => { ${gated("a", '{ pool: "one" }')} ${gated("b", '{ pool: "one" }')} });\n`,
    },
    (store) => store.upsertPool({ name: "one", slots: 1, description: "one at a time" }),
  );
});
afterAll(() => dags?.dispose());

let h: Harness | undefined;
let clock: ManualClock | undefined;
afterEach(async () => {
  await disposeOnManualClock(h, clock);
  h = clock = undefined;
});

describe("limits on a manual clock", () => {
  it("depends_on_past: the next scheduled run's task starts only once the previous run's has succeeded", async () => {
    const s = await startOnManualClock(dags, { scheduler: { createScheduledRuns: true } });
    ({ h, clock } = s);
    const scheduled = async (n: number) => {
      const runs = await until(clock!, `${n} scheduled run(s)`, async () => {
        const r = await h!.store.listRuns({ dagId: "past", limit: 10 });
        return r.length === n ? r.sort((x, y) => x.logicalDate! - y.logicalDate!) : undefined;
      });
      return runs[n - 1]!;
    };
    const first = await scheduled(1);
    expect(first.logicalDate).toBe(s.t0 - HOUR); // catchup off: the last whole interval
    await tiWhen(h, clock, first.id, "t", (x) => x.state === "running");
    await runFor(clock, HOUR);
    const second = await scheduled(2);
    expect(second.logicalDate).toBe(s.t0);
    await runFor(clock, 10 * MINUTE);
    expect((await h.store.listTaskInstances(second.id))[0]).toMatchObject({ state: "none", tryNumber: 0 });
    expect(await h.store.listAttempts(second.id, "t")).toEqual([]);

    openGate(`${first.runId}/t`);
    const done = await tiWhen(h, clock, first.id, "t", (x) => x.state === "success");
    expect(done.endedAt).toBe(s.t0 + HOUR + 10 * MINUTE);
    const started = await tiWhen(h, clock, second.id, "t", (x) => x.state === "running");
    expect(started.startedAt).toBe(s.t0 + HOUR + 10 * MINUTE);
    openGate(`${second.runId}/t`);
    expect((await h.scheduler.waitForRun(second.id)).state).toBe("success");
  });

  it("maxActiveRuns 2: a third run stays queued until one of the two ends", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const runs = [await h.trigger("runs", {}, s.t0 - 3 * HOUR), await h.trigger("runs", {}, s.t0 - 2 * HOUR), await h.trigger("runs", {}, s.t0 - HOUR)];
    await runWhen(h, clock, runs[0]!.id, "running");
    await runWhen(h, clock, runs[1]!.id, "running");
    await runFor(clock, 5 * MINUTE);
    expect((await h.store.getRunById(runs[2]!.id))?.state).toBe("queued");

    openGate(`${runs[1]!.runId}/t`);
    expect((await h.scheduler.waitForRun(runs[1]!.id)).endedAt).toBe(s.t0 + 5 * MINUTE);
    await runFor(clock, 0);
    const third = await runWhen(h, clock, runs[2]!.id, "running");
    expect(third.startedAt).toBe(s.t0 + 5 * MINUTE);
    for (const r of [runs[0]!, runs[2]!]) openGate(`${r.runId}/t`);
    for (const r of runs) expect((await h.scheduler.waitForRun(r.id)).state).toBe("success");
  });

  it("a pool of one slot runs two ready tasks one after the other, never together", async () => {
    const s = await startOnManualClock(dags, { concurrency: 4 });
    ({ h, clock } = s);
    const run = await h.trigger("pool", {}, s.t0);
    const firstTi = await until2(h, clock, run.id);
    const second = firstTi === "a" ? "b" : "a";
    await runFor(clock, 7 * MINUTE);
    expect(["none", "scheduled"]).toContain((await tiWhen(h, clock, run.id, second, () => true)).state);
    openGate(`${run.runId}/${firstTi}`);
    await tiWhen(h, clock, run.id, second, (x) => x.state === "running");
    await runFor(clock, 3 * MINUTE);
    openGate(`${run.runId}/${second}`);
    expect((await h.scheduler.waitForRun(run.id)).state).toBe("success");

    const spans = (await Promise.all(["a", "b"].map((t) => h!.store.listAttempts(run.id, t)))).flat().sort((x, y) => x.startedAt! - y.startedAt!);
    expect(spans.map((a) => [a.taskId, a.startedAt, a.endedAt])).toEqual([
      [firstTi, s.t0, s.t0 + 7 * MINUTE],
      [second, s.t0 + 7 * MINUTE, s.t0 + 10 * MINUTE],
    ]);
  });
});

/** Which of the pool's two tasks got the slot (the other must not be running). */
async function until2(h: Harness, clock: ManualClock, runPk: number): Promise<string> {
  const running = await until(clock, "one pooled task running", async () => {
    const tis = (await h.store.listTaskInstances(runPk)).filter((x) => x.state === "running");
    return tis.length > 0 ? tis : undefined;
  });
  expect(running).toHaveLength(1);
  return running[0]!.taskId;
}
