import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InProcessRemoteSignal } from "../../src/core/ports/remote-signal.js";
import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import { InProcessExecutor } from "../../src/executor/in-process-executor.js";
import { RemoteExecutor } from "../../src/remote/remote-executor.js";
import { RoutingExecutor } from "../../src/remote/routing-executor.js";
import type { FullStore } from "../../src/store/full-store.js";
import { HEADER, type Harness } from "../support/harness.js";
import { disposeOnManualClock, LoadedDags, runWhen, startOnManualClock, tiWhen } from "../support/manual-scheduler.js";
import { MINUTE, runFor, until } from "../support/manual-time.js";

// Airflow's task_queued_timeout (600 s) through the real scheduler on a manual clock: a task on a
// queue no worker serves stays queued in the remote-attempts mailbox (real SQLite). Before, it
// waited there for ever; now, not started 600 s after it was queued, it is taken back and queued
// again (twice, without using a retry), then fails.

const SCHEDULER = "test-scheduler:1";
const SECOND = 1_000;

let dags: LoadedDags;
beforeAll(async () => {
  dags = await LoadedDags.load({
    "gpu.ts": `${HEADER}export default dag({ id: "gpu" }, (d) => { d.task("train", { queue: "gpu", retries: 3 }, () => "never here"); });\n`,
    "pair.ts": `${HEADER}export default dag({ id: "pair" }, (d) => { d.task("a", { queue: "gpu", priorityWeight: 2 }, () => 1); d.task("b", { queue: "gpu" }, () => 2); });\n`,
  });
});
afterAll(() => dags?.dispose());

let h: Harness | undefined;
let clock: ManualClock | undefined;
afterEach(async () => {
  await disposeOnManualClock(h, clock);
  h = clock = undefined;
});

const workersOf = (h: Harness) => (h.store as FullStore).workers;

let signal: InProcessRemoteSignal | undefined;

async function start(timeoutMs?: number) {
  signal = new InProcessRemoteSignal();
  const s = await startOnManualClock(dags, {
    executor: (harness, c) =>
      new RoutingExecutor({
        local: new InProcessExecutor({ clock: c, echoOutput: false, concurrency: 2 }),
        remote: new RemoteExecutor({ mailbox: workersOf(harness), signal: signal!, schedulerId: SCHEDULER, clock: c, window: 10 }),
      }),
    // Heartbeats every hour: the clock then moves in few steps.
    scheduler: { heartbeatMs: 60 * MINUTE, ...(timeoutMs === undefined ? {} : { taskQueuedTimeoutMs: timeoutMs }) },
  });
  ({ h, clock } = s);
  return s;
}

describe("task queued timeout", () => {
  it("not started 600 s after it was queued: queued again twice (no retry used), failed the third time", async () => {
    const s = await start();
    const run = await h!.trigger("gpu", {}, s.t0);
    const queued = await tiWhen(h!, clock!, run.id, "train", (x) => x.state === "queued" && x.tryNumber === 1);
    expect(queued.queuedAt).toBe(s.t0);
    const depth = async () => (await workersOf(h!).remoteQueueDepths()).find((q) => q.queue === "gpu")?.queued ?? 0;
    await until(clock!, "the attempt in the mailbox", async () => ((await depth()) === 1 ? true : undefined));

    await runFor(clock!, 10 * MINUTE - SECOND);
    expect(await h!.store.listAttempts(run.id, "train")).toEqual([]);
    expect((await h!.store.listTaskInstances(run.id))[0]).toMatchObject({ state: "queued", tryNumber: 1 });

    await runFor(clock!, SECOND);
    const second = await tiWhen(h!, clock!, run.id, "train", (x) => x.state === "queued" && x.tryNumber === 2);
    expect(second).toMatchObject({ infraTries: 1, queuedAt: s.t0 + 10 * MINUTE });
    const [first] = await h!.store.listAttempts(run.id, "train");
    expect(first).toMatchObject({ tryNumber: 1, state: "failed", startedAt: null, endedAt: s.t0 + 10 * MINUTE });
    expect(first!.error).toBe("stuck in queued: not started within 600 s (the task queued timeout) while nothing else of its queue ran; queued again (1 of 2)");
    // The old try left the mailbox; the new one waits there.
    await until(clock!, "one attempt in the mailbox", async () => ((await depth()) === 1 ? true : undefined));

    await runFor(clock!, 10 * MINUTE);
    await tiWhen(h!, clock!, run.id, "train", (x) => x.state === "queued" && x.tryNumber === 3);
    await runFor(clock!, 10 * MINUTE);
    const failed = await tiWhen(h!, clock!, run.id, "train", (x) => x.state === "failed");
    expect(failed).toMatchObject({ tryNumber: 3, infraTries: 2, endedAt: s.t0 + 30 * MINUTE });
    expect(failed.error).toBe(
      "stuck in queued: not started within 600 s (the task queued timeout) while nothing else of its queue ran, queued again 2 times already; failed",
    );
    expect((await runWhen(h!, clock!, run.id, "failed")).endedAt).toBe(s.t0 + 30 * MINUTE);
    expect((await h!.store.listAttempts(run.id, "train")).map((a) => [a.tryNumber, a.state, a.startedAt])).toEqual([
      [1, "failed", null],
      [2, "failed", null],
      [3, "failed", null],
    ]);
    await until(clock!, "the mailbox empty", async () => ((await depth()) === 0 ? true : undefined));
  });

  it("an attempt a worker starts within the timeout runs as usual", async () => {
    const s = await start();
    const run = await h!.trigger("gpu", {}, s.t0);
    await tiWhen(h!, clock!, run.id, "train", (x) => x.state === "queued");
    await runFor(clock!, 9 * MINUTE);
    const workers = workersOf(h!);
    const now = clock!.now();
    await workers.upsertWorker({
      id: "w1",
      name: "gpu-box",
      host: "gpu-box",
      pid: 1,
      tokenId: "t1",
      queues: ["gpu"],
      concurrency: 1,
      running: 0,
      version: "test",
      state: "active",
      startedAt: now,
      lastSeenAt: now,
      stateChangedAt: now,
      reason: null,
    });
    const [claimed] = await workers.claimRemoteAttempts("w1", ["gpu"], 1, now);
    await workers.markRemoteStarted([{ attemptId: claimed!.attemptId, workerId: "w1", startedAt: now, pid: 99 }]);
    signal!.notify(SCHEDULER);
    await tiWhen(h!, clock!, run.id, "train", (x) => x.state === "running");
    await runFor(clock!, 10 * MINUTE);
    expect((await h!.store.listTaskInstances(run.id))[0]).toMatchObject({ state: "running", tryNumber: 1, startedAt: s.t0 + 9 * MINUTE });
    await workers.finishRemoteAttempts([
      { attemptId: claimed!.attemptId, workerId: "w1", outcome: { kind: "success", output: '"trained"' }, startedAt: now, endedAt: clock!.now(), pid: 99 },
    ]);
    signal!.notify(SCHEDULER);
    expect((await runWhen(h!, clock!, run.id, "success")).state).toBe("success");
    expect((await h!.store.listAttempts(run.id, "train")).map((a) => [a.tryNumber, a.state])).toEqual([[1, "success"]]);
  });

  it("an attempt waiting behind a running one of its queue is not stuck: its wait starts once none runs", async () => {
    const s = await start();
    const run = await h!.trigger("pair", {}, s.t0);
    for (const t of ["a", "b"]) await tiWhen(h!, clock!, run.id, t, (x) => x.state === "queued");
    const workers = workersOf(h!);
    const now = clock!.now();
    await workers.upsertWorker({
      id: "w1",
      name: "gpu-box",
      host: "gpu-box",
      pid: 1,
      tokenId: "t1",
      queues: ["gpu"],
      concurrency: 1,
      running: 0,
      version: "test",
      state: "active",
      startedAt: now,
      lastSeenAt: now,
      stateChangedAt: now,
      reason: null,
    });
    const [a] = await workers.claimRemoteAttempts("w1", ["gpu"], 1, now);
    expect(a!.attemptId).toContain("/a/");
    await workers.markRemoteStarted([{ attemptId: a!.attemptId, workerId: "w1", startedAt: now, pid: 99 }]);
    signal!.notify(SCHEDULER);
    await tiWhen(h!, clock!, run.id, "a", (x) => x.state === "running");
    await runFor(clock!, 15 * MINUTE);
    expect((await h!.store.listTaskInstances(run.id)).find((x) => x.taskId === "b")).toMatchObject({ state: "queued", tryNumber: 1 });

    await workers.finishRemoteAttempts([
      { attemptId: a!.attemptId, workerId: "w1", outcome: { kind: "success", output: "1" }, startedAt: now, endedAt: clock!.now(), pid: 99 },
    ]);
    signal!.notify(SCHEDULER);
    await tiWhen(h!, clock!, run.id, "a", (x) => x.state === "success");
    const idleFrom = clock!.now();
    await runFor(clock!, 10 * MINUTE - SECOND);
    expect((await h!.store.listTaskInstances(run.id)).find((x) => x.taskId === "b")).toMatchObject({ state: "queued", tryNumber: 1 });
    // Its wait started at the first sweep (a tick: every minute here) with nothing of gpu running.
    await runFor(clock!, MINUTE + 2 * SECOND);
    const b = await tiWhen(h!, clock!, run.id, "b", (x) => x.tryNumber === 2);
    expect(b.queuedAt! - idleFrom).toBeGreaterThanOrEqual(10 * MINUTE);
    expect(b.queuedAt! - idleFrom).toBeLessThanOrEqual(11 * MINUTE);
  });

  it("BATON_TASK_QUEUED_TIMEOUT_MS 0: an attempt waits in queued past 600 s (never timed out)", async () => {
    const s = await start(0);
    const run = await h!.trigger("gpu", {}, s.t0);
    await tiWhen(h!, clock!, run.id, "train", (x) => x.state === "queued");
    await runFor(clock!, 11 * MINUTE);
    expect((await h!.store.listTaskInstances(run.id))[0]).toMatchObject({ state: "queued", tryNumber: 1 });
    expect(await h!.store.listAttempts(run.id, "train")).toEqual([]);
  });
});
