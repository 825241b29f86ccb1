import { afterEach, describe, expect, it } from "vitest";
import { ManualClock } from "../../src/core/testing/manual-clock.js";
import type { TaskInstanceRecord } from "../../src/core/model/records.js";
import { InProcessExecutor } from "../../src/executor/in-process-executor.js";
import { HEADER, Harness } from "../support/harness.js";

/**
 * The scheduler on a manual clock and the in-process executor: hours of retry backoff and
 * timeouts pass in a test's microseconds. Between clock moves the test only waits for the
 * scheduler's own asynchronous work (store reads, group commits), never for time to pass.
 */
let h: Harness | undefined;
let clockInUse: ManualClock | undefined;
afterEach(async () => {
  const disposed = h?.dispose();
  // A graceful stop waits on the clock for its grace period: let it pass.
  for (let i = 0; i < 5; i++) {
    await settle();
    clockInUse?.advance(1_000);
  }
  await disposed;
  h = undefined;
  clockInUse = undefined;
});

const HOUR = 3_600_000;
/** Manual time starts on the next whole hour of real time, so runs the harness queues (stamped with real time) are due. */
const T0 = Math.ceil(Date.now() / HOUR) * HOUR + HOUR;

/** Lets the promise chains and I/O that fired timers started run to their next wait. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/** Moves the clock `ms` forward one due timer at a time, letting the scheduler's async work run after each. */
async function runFor(clock: ManualClock, ms: number): Promise<void> {
  const end = clock.now() + ms;
  for (let due = clock.nextDue(); due !== null && due <= end; due = clock.nextDue()) {
    clock.advance(due - clock.now());
    await settle();
  }
  clock.advance(end - clock.now());
  await settle();
}

async function untilTi(harness: Harness, runPk: number, taskId: string, ok: (ti: TaskInstanceRecord) => boolean): Promise<TaskInstanceRecord> {
  for (let i = 0; i < 500; i++) {
    const ti = (await harness.store.listTaskInstances(runPk)).find((t) => t.taskId === taskId);
    if (ti && ok(ti)) return ti;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`task ${taskId} never reached the expected state`);
}

async function startOnManualClock(files: Record<string, string>): Promise<{ harness: Harness; clock: ManualClock }> {
  const clock = new ManualClock(T0);
  clockInUse = clock;
  const harness = new Harness(files);
  await harness.load();
  await harness.start({ clock, executor: new InProcessExecutor({ clock, echoOutput: false }), scheduler: { pollMs: 60_000 } });
  return { harness, clock };
}

describe("scheduler on a manual clock", () => {
  it("waits out a one-hour retry backoff only when time is moved past it", async () => {
    const started = await startOnManualClock({
      "d.ts": `${HEADER}export default dag({ id: "d" }, (d) => {
        d.task("flaky", { retries: 2, retryDelay: "1h" }, async (ctx) => { if (ctx.tryNumber === 1) throw new Error("first try fails"); return ctx.tryNumber; });
      });\n`,
    });
    h = started.harness;
    const { clock } = started;
    const run = await h.trigger("d", {}, T0);
    clock.advance(0);
    const failed = await untilTi(h, run.id, "flaky", (ti) => ti.state === "up_for_retry");
    expect(failed.nextRetryAt).toBe(clock.now() + HOUR);

    await runFor(clock, HOUR - 1_000);
    expect((await untilTi(h, run.id, "flaky", () => true)).state).toBe("up_for_retry");

    await runFor(clock, 1_000);
    const done = await untilTi(h, run.id, "flaky", (ti) => ti.state === "success");
    expect(done.tryNumber).toBe(2);
    expect(done.startedAt).toBe(T0 + HOUR);
  });

  it("times a run out by the clock, not by the wall", async () => {
    const started = await startOnManualClock({
      "d.ts": `${HEADER}export default dag({ id: "d", runTimeout: "2h" }, (d) => {
        d.task("wait", async (ctx) => { await new Promise((r) => ctx.signal.addEventListener("abort", r)); });
      });\n`,
    });
    h = started.harness;
    const { clock } = started;
    const run = await h.trigger("d", {}, T0);
    clock.advance(0);
    await untilTi(h, run.id, "wait", (ti) => ti.state === "running");
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
