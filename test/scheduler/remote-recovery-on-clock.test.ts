import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InProcessRemoteSignal } from "../../src/core/ports/remote-signal.js";
import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import { InProcessExecutor } from "../../src/executor/in-process-executor.js";
import { RemoteExecutor } from "../../src/remote/remote-executor.js";
import { RoutingExecutor } from "../../src/remote/routing-executor.js";
import { RELEASED_AT_RECOVERY } from "../../src/scheduler/remote-release.js";
import type { FullStore } from "../../src/store/full-store.js";
import { HEADER, type Harness } from "../support/harness.js";
import { disposeOnManualClock, LoadedDags, startOnManualClock, tiWhen, WallSyncedClock } from "../support/manual-scheduler.js";
import { runFor, until } from "../support/manual-time.js";

// A scheduler dies with remote attempts out (one running on a worker, one still in the mailbox).
// The scheduler that recovers its runs releases them BEFORE the recovery rules run new tries:
// the running one is stopped on its worker and its late outcome never applied.

let dags: LoadedDags;
beforeAll(async () => {
  dags = await LoadedDags.load({
    "gpu.ts":
      `${HEADER}export default dag({ id: "gpu", defaults: { queue: "gpu", retryDelay: "1m" } }, (d) => {\n` +
      `  d.task("busy", () => "remote only");\n` +
      `  d.task("waiting", () => "remote only");\n` +
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

const workersOf = (h: Harness) => (h.store as FullStore).workers;
const routing = (h: Harness, clock: ManualClock, signal: InProcessRemoteSignal, schedulerId: string) =>
  new RoutingExecutor({
    local: new InProcessExecutor({ clock, echoOutput: false, concurrency: 2 }),
    remote: new RemoteExecutor({ mailbox: workersOf(h), signal, schedulerId, clock }),
  });

describe("remote attempts when a scheduler is lost", () => {
  it("are released before the recovering scheduler runs new tries; a late outcome of the old try is never applied", async () => {
    const oldSignal = new InProcessRemoteSignal();
    const s = await startOnManualClock(dags, { executor: (harness, c) => routing(harness, c, oldSignal, "old") });
    ({ h, clock } = s);
    const workers = workersOf(h);
    const run = await h.trigger("gpu", {}, s.t0);
    const id = (task: string, tryNumber: number) => `${run.id}/${task}/-1/${tryNumber}`;
    await until(clock, "both attempts in the mailbox", async () => ((await workers.remoteQueueDepths())[0]?.queued === 2 ? true : undefined));
    // A worker runs "busy"; "waiting" stays queued.
    const [claimed] = await workers.claimRemoteAttempts("w1", ["gpu"], 1, clock.now());
    const busyTry1 = claimed!.attemptId;
    expect(busyTry1).toBe(id(claimed!.request.taskId, 1));
    const [busy, waiting] = claimed!.request.taskId === "busy" ? ["busy", "waiting"] : ["waiting", "busy"];
    await workers.markRemoteStarted([{ attemptId: busyTry1, workerId: "w1", startedAt: clock.now(), pid: 7 }]);
    oldSignal.notify("old");
    await tiWhen(h, clock, run.id, busy, (ti) => ti.state === "running");

    // The old scheduler is lost (never stopped: its timers are on a clock nobody moves). A new one starts.
    const newSignal = new InProcessRemoteSignal();
    const clock2 = new WallSyncedClock(clock.now() + 60_000);
    clock = clock2;
    await h.start({ clock: clock2, executor: routing(h, clock2, newSignal, "new"), scheduler: { pollMs: 60_000, commitDelayMs: 0 }, remoteAttempts: workers });

    // Released: the running try is orphaned and asked to stop on its worker; the queued one deleted.
    expect(await workers.getRemoteAttempt(busyTry1)).toMatchObject({ schedulerId: "", state: "running", cancelReason: RELEASED_AT_RECOVERY });
    expect(await workers.listRemoteCancels(["w1"])).toEqual([{ attemptId: busyTry1, workerId: "w1", cancelReason: RELEASED_AT_RECOVERY }]);
    // Recovery rules: the handed-out try is retried at once (try 2), the running one after its retry delay.
    const waitingTry2 = await until(clock2, "waiting's try 2 in the mailbox", async () => (await workers.getRemoteAttempt(id(waiting, 2))) ?? undefined);
    expect(waitingTry2).toMatchObject({ schedulerId: "new", state: "queued" });
    expect(await workers.getRemoteAttempt(id(waiting, 1))).toBeUndefined();
    expect((await h.store.listAttempts(run.id, busy)).map((a) => [a.tryNumber, a.state, a.error])).toEqual([
      [1, "failed", expect.stringContaining("interrupted")],
    ]);

    // The old try's outcome arrives late: recorded on the orphan, never applied to the run.
    await workers.finishRemoteAttempts([
      { attemptId: busyTry1, workerId: "w1", outcome: { kind: "success", output: '"late"' }, startedAt: s.t0, endedAt: clock2.now(), pid: 7 },
    ]);
    newSignal.notify("new");
    oldSignal.notify("old");
    await runFor(clock2, 60_000);
    const busyTry2 = await until(clock2, "busy's try 2 in the mailbox", async () => (await workers.getRemoteAttempt(id(busy, 2))) ?? undefined);
    expect(busyTry2).toMatchObject({ schedulerId: "new", state: "queued" });
    expect((await h.store.listAttempts(run.id, busy)).map((a) => [a.tryNumber, a.state])).toEqual([[1, "failed"]]);
    expect(await tiWhen(h, clock2, run.id, busy, () => true)).toMatchObject({ state: "queued", tryNumber: 2 });

    // The new tries run and end the run.
    const rest = await workers.claimRemoteAttempts("w2", ["gpu"], 10, clock2.now());
    expect(rest.map((a) => a.attemptId).sort()).toEqual([id(busy, 2), id(waiting, 2)].sort());
    await workers.markRemoteStarted(rest.map((a) => ({ attemptId: a.attemptId, workerId: "w2", startedAt: clock2.now(), pid: 8 })));
    await workers.finishRemoteAttempts(
      rest.map((a) => ({
        attemptId: a.attemptId,
        workerId: "w2",
        outcome: { kind: "success", output: '"ok"' },
        startedAt: clock2.now(),
        endedAt: clock2.now() + 1,
        pid: 8,
      })),
    );
    newSignal.notify("new");
    expect((await h.scheduler.waitForRun(run.id)).state).toBe("success");
    const tis = await h.store.listTaskInstances(run.id);
    expect(tis.map((t) => [t.taskId, t.state, t.tryNumber]).sort()).toEqual([
      ["busy", "success", 2],
      ["waiting", "success", 2],
    ]);
    expect((await h.store.listAttempts(run.id, busy)).map((a) => [a.tryNumber, a.state, a.worker])).toEqual([
      [1, "failed", "w1"],
      [2, "success", "w2"],
    ]); // the interrupted try keeps the worker it ran on
  });
});
