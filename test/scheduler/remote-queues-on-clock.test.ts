import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { InProcessRemoteSignal } from "../../src/core/ports/remote-signal.js";
import type { ChangeSet } from "../../src/core/ports/store.js";
import type { ManualClock } from "../../src/core/testing/manual-clock.js";
import { InProcessExecutor } from "../../src/executor/in-process-executor.js";
import { RemoteExecutor } from "../../src/remote/remote-executor.js";
import { RoutingExecutor } from "../../src/remote/routing-executor.js";
import { gatherRunFacts } from "../../src/api/explain/explain-facts.js";
import { explainTask } from "../../src/core/explain/explain-task.js";
import type { FullStore } from "../../src/store/full-store.js";
import { HEADER, type Harness } from "../support/harness.js";
import { disposeOnManualClock, GATE, LoadedDags, openGate, startOnManualClock, tiWhen } from "../support/manual-scheduler.js";
import { runFor, until } from "../support/manual-time.js";

// Queues through the real scheduler on a manual clock: the local pool (in-process executor)
// serves "default", the remote-attempts mailbox (real SQLite) every other queue. No worker is
// connected: the test plays the API server's part with the store's hub-side calls.

const SCHEDULER = "test-scheduler:1";

let dags: LoadedDags;
beforeAll(async () => {
  dags = await LoadedDags.load({
    "mixed.ts":
      `${HEADER}export default dag({ id: "mixed" }, (d) => {\n` +
      [1, 2, 3].map((i) => `  d.task("gpu${i}", { queue: "gpu", priorityWeight: 10 }, () => "never here");\n`).join("") +
      [1, 2, 3].map((i) => `  d.task("cpu${i}", async (ctx) => { await ${GATE}(ctx.runId + "/cpu${i}"); return ${i}; });\n`).join("") +
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

describe("queues on a manual clock", () => {
  it("a gpu queue without workers fills its own window and never blocks default tasks; a worker then drains it", async () => {
    const signal = new InProcessRemoteSignal();
    const s = await startOnManualClock(dags, {
      executor: (harness, c) =>
        new RoutingExecutor({
          local: new InProcessExecutor({ clock: c, echoOutput: false, concurrency: 2 }),
          remote: new RemoteExecutor({ mailbox: workersOf(harness), signal, schedulerId: SCHEDULER, clock: c, window: 2 }),
        }),
    });
    ({ h, clock } = s);
    const run = await h.trigger("mixed", {}, s.t0);
    const workers = workersOf(h);

    // The gpu tasks weigh more, yet only two are out (gpu's window); default's two slots run cpu tasks.
    const rows = await until(clock, "two gpu attempts in the mailbox", async () => {
      const d = await workers.remoteQueueDepths();
      return d.find((q) => q.queue === "gpu")?.queued === 2 ? d : undefined;
    });
    expect(rows).toEqual([{ queue: "gpu", queued: 2, running: 0 }]);
    const running = await until(clock, "two cpu tasks running", async () => {
      const tis = (await h!.store.listTaskInstances(run.id)).filter((t) => t.taskId.startsWith("cpu") && t.state === "running");
      return tis.length === 2 ? tis : undefined;
    });
    const states = async () => Object.fromEntries((await h!.store.listTaskInstances(run.id)).map((t) => [t.taskId, t.state]));
    expect(Object.values(await states()).filter((x) => x === "queued")).toHaveLength(2);

    // Every default task runs to its end while gpu's attempts wait for a worker.
    for (const ti of running) openGate(`${run.runId}/${ti.taskId}`);
    const third = ["cpu1", "cpu2", "cpu3"].find((t) => !running.some((r) => r.taskId === t))!;
    await tiWhen(h, clock, run.id, third, (x) => x.state === "running");
    openGate(`${run.runId}/${third}`);
    for (const t of ["cpu1", "cpu2", "cpu3"]) await tiWhen(h, clock, run.id, t, (x) => x.state === "success");
    await runFor(clock, 60_000);
    const waiting = await states();
    expect(["gpu1", "gpu2", "gpu3"].map((t) => waiting[t]).sort()).toEqual(["none", "queued", "queued"]);

    // "Why is it waiting?": the queue, and that no worker listens on it; then a worker connects.
    const why = async () => {
      const facts = await gatherRunFacts({ store: h!.store, workers, now: clock!.now() }, "mixed", run.runId);
      return Object.fromEntries(["gpu1", "gpu2", "gpu3"].map((t) => [waiting[t], explainTask(facts, t)!.reasons[0]!]));
    };
    const before = await why();
    expect(before.queued).toMatchObject({ code: "queued_for_worker", facts: { queue: "gpu", remoteState: "queued", workers: 0, queuedOnQueue: 2 } });
    expect(before.queued!.message).toContain('no worker is listening on queue "gpu"');
    expect(before.none).toMatchObject({ code: "waiting_for_worker", facts: { queue: "gpu", workers: 0 } });
    expect(before.none!.message).toContain('no worker is listening on queue "gpu"');
    const now = clock.now();
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
    expect((await why()).queued!.message).toMatch(/1 worker listens on it, 2 attempts waiting there\.$/);

    // A worker takes one: the window frees a slot and the third goes out.
    const first = await workers.claimRemoteAttempts("w1", ["gpu"], 1, clock.now());
    expect(first).toHaveLength(1);
    await workers.markRemoteStarted([{ attemptId: first[0]!.attemptId, workerId: "w1", startedAt: clock.now(), pid: 99 }]);
    await workers.finishRemoteAttempts([
      {
        attemptId: first[0]!.attemptId,
        workerId: "w1",
        outcome: { kind: "success", output: '"gpu"' },
        startedAt: clock.now(),
        endedAt: clock.now() + 5,
        pid: 99,
      },
    ]);
    signal.notify(SCHEDULER);
    await until(clock, "the third gpu attempt in the mailbox", async () =>
      (await workers.remoteQueueDepths()).find((q) => q.queue === "gpu")?.queued === 2 ? true : undefined,
    );

    const rest = await workers.claimRemoteAttempts("w1", ["gpu"], 10, clock.now());
    expect(rest).toHaveLength(2);
    await workers.markRemoteStarted(rest.map((a) => ({ attemptId: a.attemptId, workerId: "w1", startedAt: clock!.now(), pid: 99 })));
    await workers.finishRemoteAttempts(
      rest.map((a) => ({
        attemptId: a.attemptId,
        workerId: "w1",
        outcome: { kind: "success", output: '"gpu"' },
        startedAt: clock!.now(),
        endedAt: clock!.now() + 5,
        pid: 99,
      })),
    );
    signal.notify(SCHEDULER);
    const done = await h.scheduler.waitForRun(run.id);
    expect(done.state).toBe("success");
    const gpuAttempts = (await Promise.all(["gpu1", "gpu2", "gpu3"].map((t) => h!.store.listAttempts(run.id, t)))).flat();
    expect(gpuAttempts.map((a) => [a.state, a.worker])).toEqual([
      ["success", "w1"],
      ["success", "w1"],
      ["success", "w1"],
    ]);
    const cpuAttempts = (await Promise.all(["cpu1", "cpu2", "cpu3"].map((t) => h!.store.listAttempts(run.id, t)))).flat();
    expect(cpuAttempts.map((a) => a.worker)).toEqual([null, null, null]);
    expect(await workers.remoteQueueDepths()).toEqual([]);
  });

  it("a remote attempt's mailbox row is written in the scheduler's commit that records it queued, never by an insert of its own", async () => {
    const signal = new InProcessRemoteSignal();
    const sets: ChangeSet[] = [];
    let inserts = 0;
    const s = await startOnManualClock(dags, {
      executor: (harness, c) => {
        const store = harness.store;
        const commit = store.commit.bind(store);
        store.commit = (changes, fence) => (sets.push(changes), commit(changes, fence));
        const w = workersOf(harness);
        const enqueue = w.enqueueRemoteAttempts.bind(w);
        w.enqueueRemoteAttempts = (rows) => (inserts++, enqueue(rows));
        return new RoutingExecutor({
          local: new InProcessExecutor({ clock: c, echoOutput: false, concurrency: 2 }),
          remote: new RemoteExecutor({ mailbox: w, signal, schedulerId: SCHEDULER, clock: c, window: 2 }),
        });
      },
    });
    ({ h, clock } = s);
    const run = await h.trigger("mixed", {}, s.t0);
    await until(clock, "two gpu attempts in the mailbox", async () =>
      (await workersOf(h!).remoteQueueDepths()).find((q) => q.queue === "gpu")?.queued === 2 ? true : undefined,
    );
    const rows = sets.flatMap((c) => c.remoteAttempts ?? []);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      // The same change set holds the try's `queued` record: durable together or not at all.
      const set = sets.find((c) => c.remoteAttempts?.includes(row))!;
      const ti = set.taskInstances?.find((t) => t.runPk === run.id && t.taskId === row.request.taskId);
      expect([ti?.state, ti?.tryNumber]).toEqual(["queued", row.request.tryNumber]);
      expect(row).toMatchObject({ schedulerId: SCHEDULER, queue: "gpu", runPk: run.id });
    }
    expect(inserts).toBe(0);
    for (const t of ["cpu1", "cpu2", "cpu3"]) openGate(`${run.runId}/${t}`);
  });
});
