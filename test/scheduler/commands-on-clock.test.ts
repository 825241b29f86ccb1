import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import { HEADER, type Harness } from "../support/harness.js";
import { commandOnClock, disposeOnManualClock, GATE, LoadedDags, openGate, runWhen, startOnManualClock, tiWhen } from "../support/manual-scheduler.js";
import { HOUR, MINUTE, runFor } from "../support/manual-time.js";

// clear, mark and cancel requests (as the API records them) applied by the scheduler on a manual clock.

let dags: LoadedDags;
beforeAll(async () => {
  dags = await LoadedDags.load({
    "clr.ts": `${HEADER}export default dag({ id: "clr" }, (d) => {
      d.task("x", async (ctx) => { if (ctx.tryNumber === 1) throw new FailTask("first try"); return ctx.tryNumber; }).then(d.task("y", async () => "y"));
    });\n`,
    "hold.ts": `${HEADER}export default dag({ id: "hold" }, (d) => {
      d.task("m", async (ctx) => { await ${GATE}(ctx.runId + "/m"); return "m"; }).then(d.task("n", async () => "n"));
    });\n`,
  });
});
afterAll(() => dags?.dispose());

let h: Harness | undefined;
let clock: ManualClock | undefined;
afterEach(async () => {
  await disposeOnManualClock(h, clock);
  h = clock = undefined;
});

const attemptsOf = async (runPk: number, taskId: string) =>
  (await h!.store.listAttempts(runPk, taskId)).map((a) => [a.tryNumber, a.state, a.startedAt, a.endedAt]);

describe("commands on a manual clock", () => {
  it("clear_tasks with downstream re-runs a failed task and what follows it, at the time of the clear", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const run = await h.trigger("clr", {}, s.t0);
    await runWhen(h, clock, run.id, "failed");
    await runFor(clock, HOUR);
    expect(await commandOnClock(h, clock, "clear_tasks", { dagId: "clr", runId: run.runId, taskIds: ["x"], downstream: true })).toBe(
      "ok: cleared 2 task instance(s)",
    );
    const y = await tiWhen(h, clock, run.id, "y", (t) => t.state === "success");
    expect(y.startedAt).toBe(s.t0 + HOUR);
    expect(await attemptsOf(run.id, "x")).toEqual([
      [1, "failed", s.t0, s.t0],
      [2, "success", s.t0 + HOUR, s.t0 + HOUR],
    ]);
    expect((await h.store.getRunById(run.id))?.state).toBe("success");
  });

  it("mark_tasks success on a running task ends its attempt and lets downstream run", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const run = await h.trigger("hold", {}, s.t0);
    await tiWhen(h, clock, run.id, "m", (t) => t.state === "running");
    await runFor(clock, 5 * MINUTE);
    expect(await commandOnClock(h, clock, "mark_tasks", { dagId: "hold", runId: run.runId, taskIds: ["m"], state: "success" })).toMatch(/^ok/);
    expect((await tiWhen(h, clock, run.id, "n", (t) => t.state === "success")).startedAt).toBe(s.t0 + 5 * MINUTE);
    expect((await h.scheduler.waitForRun(run.id)).state).toBe("success");
    const [attempt] = await h.store.listAttempts(run.id, "m");
    expect(attempt).toMatchObject({ tryNumber: 1, startedAt: s.t0, endedAt: s.t0 + 5 * MINUTE });
    expect(attempt!.state).not.toBe("running");
  });

  it("mark_run failed stops the running task: it and its attempt end failed, downstream never runs", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const run = await h.trigger("hold", {}, s.t0);
    await tiWhen(h, clock, run.id, "m", (t) => t.state === "running");
    await runFor(clock, 5 * MINUTE);
    expect(await commandOnClock(h, clock, "mark_run", { dagId: "hold", runId: run.runId, state: "failed" })).toBe("ok");
    const ended = await h.scheduler.waitForRun(run.id);
    expect(ended).toMatchObject({ state: "failed", endedAt: s.t0 + 5 * MINUTE });
    openGate(`${run.runId}/m`); // the abandoned code returns late: its result is discarded
    await runFor(clock, MINUTE);
    expect((await tiWhen(h, clock, run.id, "m", () => true)).state).toBe("failed");
    expect((await tiWhen(h, clock, run.id, "n", () => true)).state).not.toBe("success");
    expect(await attemptsOf(run.id, "m")).toEqual([[1, "failed", s.t0, s.t0 + 5 * MINUTE]]);
    expect(await h.store.listAttempts(run.id, "n")).toEqual([]);
  });

  it("cancel_run fails the run with a note and ends its running attempt", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const run = await h.trigger("hold", {}, s.t0);
    await tiWhen(h, clock, run.id, "m", (t) => t.state === "running");
    await runFor(clock, 2 * MINUTE);
    expect(await commandOnClock(h, clock, "cancel_run", { dagId: "hold", runId: run.runId })).toMatch(/^ok/);
    const ended = await h.scheduler.waitForRun(run.id);
    expect(ended).toMatchObject({ state: "failed", endedAt: s.t0 + 2 * MINUTE });
    expect(ended.note).toBeTruthy();
    expect((await tiWhen(h, clock, run.id, "m", () => true)).state).toBe("failed");
    expect(await attemptsOf(run.id, "m")).toEqual([[1, "failed", s.t0, s.t0 + 2 * MINUTE]]);
  });
});
