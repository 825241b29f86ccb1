import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import { HEADER, type Harness } from "../support/harness.js";
import { disposeOnManualClock, LoadedDags, startOnManualClock, tiWhen } from "../support/manual-scheduler.js";
import { MINUTE, runFor } from "../support/manual-time.js";

let dags: LoadedDags;
beforeAll(async () => {
  dags = await LoadedDags.load({
    "slow.ts": `${HEADER}export default dag({ id: "slow" }, (d) => {
      d.task("slow", { timeout: "10m", retries: 1, retryDelay: "1m" }, async (ctx) => { await new Promise((r) => ctx.signal.addEventListener("abort", r)); });
      d.task("after", { after: ["slow"], triggerRule: "all_done" }, async () => 1);
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

describe("task execution timeout on a manual clock", () => {
  it("stops each try after exactly its timeout; retries apply; the last try fails the task", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const run = await h.trigger("slow", {}, s.t0);
    await tiWhen(h, clock, run.id, "slow", (x) => x.state === "running");
    await runFor(clock, 10 * MINUTE - 1);
    expect((await tiWhen(h, clock, run.id, "slow", () => true)).state).toBe("running");
    await runFor(clock, 1);
    const retry = await tiWhen(h, clock, run.id, "slow", (x) => x.state === "up_for_retry");
    expect(retry.nextRetryAt).toBe(s.t0 + 11 * MINUTE);
    await runFor(clock, 11 * MINUTE);
    const failed = await tiWhen(h, clock, run.id, "slow", (x) => x.state === "failed");
    expect(failed.tryNumber).toBe(2);
    expect(failed.error).toBe("exceeded execution timeout of 600s");
    const attempts = await h.store.listAttempts(run.id, "slow");
    expect(attempts.map((a) => [a.tryNumber, a.state, a.startedAt, a.endedAt])).toEqual([
      [1, "failed", s.t0, s.t0 + 10 * MINUTE],
      [2, "failed", s.t0 + 11 * MINUTE, s.t0 + 21 * MINUTE],
    ]);
    expect((await tiWhen(h, clock, run.id, "after", (x) => x.state === "success")).startedAt).toBe(s.t0 + 21 * MINUTE);
    // The run's state follows its leaves (as in Airflow): "after" (all_done) succeeded.
    expect((await h.scheduler.waitForRun(run.id)).state).toBe("success");
  });
});
