import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import { HEADER, type Harness } from "../support/harness.js";
import { disposeOnManualClock, GATE, LoadedDags, restartOnManualClock, runWhen, startOnManualClock, tiWhen } from "../support/manual-scheduler.js";
import { MINUTE, runFor } from "../support/manual-time.js";

// A scheduler that stops mid-run without a graceful finish (its process gone), and a new one
// started later on the same database: the interrupted attempt is recorded, retried, and the run ends.

let dags: LoadedDags;
beforeAll(async () => {
  dags = await LoadedDags.load({
    "crash.ts": `${HEADER}export default dag({ id: "crash" }, (d) => {
      const t = d.task("t", { retries: 1, retryDelay: "1m" }, async (ctx) => { if (ctx.tryNumber === 1) await ${GATE}("crash/never"); return ctx.tryNumber; });
      const done = d.task("done", async () => "done");
      d.task("first", async () => 1).then(t).then(done);
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

describe("crash recovery on a manual clock", () => {
  it("an attempt running when its scheduler vanished is recorded as interrupted, retried by its policy, and the run finishes", async () => {
    const s = await startOnManualClock(dags);
    ({ h, clock } = s);
    const run = await h.trigger("crash", {}, s.t0);
    await tiWhen(h, clock, run.id, "t", (x) => x.state === "running");
    await runFor(clock, 3 * MINUTE);

    // The process is gone: nothing is stopped, flushed or told. A new scheduler starts 10 minutes after the first run began.
    clock = await restartOnManualClock(h, s.t0 + 10 * MINUTE);
    const retry = await tiWhen(h, clock, run.id, "t", (x) => x.state === "up_for_retry");
    expect(retry).toMatchObject({ tryNumber: 1, infraTries: 1, nextRetryAt: s.t0 + 11 * MINUTE });
    expect(retry.error).toMatch(/interrupted/);

    await runFor(clock, MINUTE);
    const ended = await runWhen(h, clock, run.id, "success");
    expect(ended.endedAt).toBe(s.t0 + 11 * MINUTE);
    const attempts = await h.store.listAttempts(run.id, "t");
    expect(attempts.map((a) => [a.tryNumber, a.state, a.startedAt, a.endedAt])).toEqual([
      [1, "failed", s.t0, s.t0 + 10 * MINUTE],
      [2, "success", s.t0 + 11 * MINUTE, s.t0 + 11 * MINUTE],
    ]);
    expect(attempts[0]!.error).toMatch(/^the attempt was interrupted: Baton stopped while it was running/);
    // Work that had finished before the crash is not run again.
    expect((await h.store.listAttempts(run.id, "first")).map((a) => a.tryNumber)).toEqual([1]);
    expect((await tiWhen(h, clock, run.id, "done", () => true)).state).toBe("success");
  });
});
