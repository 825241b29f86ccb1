import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import { HEADER, type Harness } from "../support/harness.js";
import { disposeOnManualClock, LoadedDags, startOnManualClock, tiWhen } from "../support/manual-scheduler.js";
import { HOUR, runFor } from "../support/manual-time.js";

/**
 * The scheduler on a manual clock and the in-process executor: hours of retry backoff and
 * timeouts pass in a test's microseconds. Between clock moves the test only waits for the
 * scheduler's own asynchronous work (store reads, group commits), never for time to pass.
 */
let dags: LoadedDags;
beforeAll(async () => {
  dags = await LoadedDags.load({
    "retry.ts": `${HEADER}export default dag({ id: "retry" }, (d) => {
      d.task("flaky", { retries: 2, retryDelay: "1h" }, async (ctx) => { if (ctx.tryNumber === 1) throw new Error("first try fails"); return ctx.tryNumber; });
    });\n`,
    "timeout.ts": `${HEADER}export default dag({ id: "timeout", runTimeout: "2h" }, (d) => {
      d.task("wait", async (ctx) => { await new Promise((r) => ctx.signal.addEventListener("abort", r)); });
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

describe("scheduler on a manual clock", () => {
  it("waits out a one-hour retry backoff only when time is moved past it", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const run = await h.trigger("retry", {}, s.t0);
    const failed = await tiWhen(h, clock, run.id, "flaky", (ti) => ti.state === "up_for_retry");
    expect(failed.nextRetryAt).toBe(s.t0 + HOUR);

    await runFor(clock, HOUR - 1_000);
    expect((await tiWhen(h, clock, run.id, "flaky", () => true)).state).toBe("up_for_retry");

    await runFor(clock, 1_000);
    const done = await tiWhen(h, clock, run.id, "flaky", (ti) => ti.state === "success");
    expect(done.tryNumber).toBe(2);
    expect(done.startedAt).toBe(s.t0 + HOUR);
  });

  it("times a run out by the clock, not by the wall", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const run = await h.trigger("timeout", {}, s.t0);
    await tiWhen(h, clock, run.id, "wait", (ti) => ti.state === "running");
    await runFor(clock, HOUR);
    expect((await h.store.getRunById(run.id))?.state).toBe("running");
    await runFor(clock, HOUR + 60_000);
    const ended = await h.scheduler.waitForRun(run.id);
    expect(ended.state).toBe("failed");
    expect(ended.note).toBe("run timed out after 7200000 ms");
    const attempts = await h.store.listAttempts(run.id, "wait");
    expect(attempts.map((a) => a.state)).toEqual(["failed"]);
  });
});
