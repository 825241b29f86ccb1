import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Executor, ExecutorListener } from "../../src/core/ports/executor.js";
import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import { HEADER, type Harness } from "../support/harness.js";
import { disposeOnManualClock, LoadedDags, restartOnManualClock, runWhen, startOnManualClock, tiWhen } from "../support/manual-scheduler.js";
import { MINUTE } from "../support/manual-time.js";

// A scheduler lost after it handed an attempt to a worker but before the worker's start was
// durable: the worker may have run user code, so the adopter must not run that try again. The
// attempt ends as interrupted (an infrastructure failure: no retry used up) and the task runs
// again with a new try number (docs/retries.md, issue 9).

/** Takes attempts and never reports them started: the scheduler dies with them "queued". */
class SilentExecutor implements Executor {
  readonly capacity = 4;
  submitted = 0;
  async start(_listener: ExecutorListener): Promise<void> {}
  submit(): void {
    this.submitted++;
  }
  cancel(): void {}
  async shutdown(): Promise<void> {}
}

let dags: LoadedDags;
beforeAll(async () => {
  dags = await LoadedDags.load({
    "handed.ts": `${HEADER}export default dag({ id: "handed" }, (d) => {
      d.task("t", { retries: 0 }, async (ctx) => ctx.tryNumber);
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

describe("an attempt handed out when its scheduler was lost", () => {
  it("is recorded as interrupted, not run again as the same try, and does not use up the task's retries", async () => {
    const silent = new SilentExecutor();
    const s = await startOnManualClock(dags, { executor: silent });
    ({ h, clock } = s);
    const run = await h.trigger("handed", {}, s.t0);
    const queued = await tiWhen(h, clock, run.id, "t", (x) => x.state === "queued");
    expect(queued.tryNumber).toBe(1);
    expect(silent.submitted).toBe(1);

    // The scheduler is gone before the worker's start was committed; another one adopts the run.
    clock = await restartOnManualClock(h, s.t0 + 10 * MINUTE);
    const ended = await runWhen(h, clock, run.id, "success");
    expect(ended.state).toBe("success");
    const attempts = await h.store.listAttempts(run.id, "t");
    expect(attempts.map((a) => [a.tryNumber, a.state, a.error])).toEqual([
      [1, "failed", "interrupted: its scheduler was lost"],
      [2, "success", null],
    ]);
    const ti = await tiWhen(h, clock, run.id, "t", () => true);
    expect(ti).toMatchObject({ state: "success", tryNumber: 2, maxTries: 1, infraTries: 1, output: "2" });
  });
});
