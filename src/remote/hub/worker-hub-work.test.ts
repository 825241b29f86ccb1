import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { HUB_CANCEL_TARGET } from "../../core/ports/remote-signal.js";
import { eventually, HubHarness, T0 } from "./testing/hub-harness.js";

let h: HubHarness;
beforeEach(async () => {
  h = await HubHarness.start();
  h.watch("sched-1");
});
afterEach(async () => {
  await h.close();
});

const remote = (id: string) => h.store.workers.getRemoteAttempt(id);

describe("WorkerHub: assigning work", () => {
  it("sends a queued attempt to a connected worker of its queue, not to one of another queue", async () => {
    const { token } = await h.workerToken(null);
    const gpu = await h.connect(token, { workerId: "w-gpu", queues: ["gpu"] });
    const other = await h.connect(token, { workerId: "w-default", queues: ["default", "io"] });
    await h.enqueue(["a1"], "gpu");
    const run = await gpu.next("run");
    expect(run.attempts.map((a) => a.attemptId)).toEqual(["a1"]);
    expect(run.attempts[0]).toEqual(h.request("a1"));
    expect(await remote("a1")).toMatchObject({ state: "assigned", workerId: "w-gpu" });
    await h.enqueue(["b1"], "io");
    await other.next("run");
    expect(other.runIds()).toEqual(["b1"]);
    expect(gpu.runIds()).toEqual(["a1"]);
  });

  it("gives a worker up to its prefetch (2 × concurrency when its hello says none): first what it can start, then the rest; more as it finishes them", async () => {
    const { token } = await h.workerToken(null);
    await h.enqueue(["a1", "a2", "a3"]);
    const w = await h.connect(token, { workerId: "w1", concurrency: 1 });
    await eventually(() => w.runIds().length === 2, "two attempts sent");
    expect(w.all("run").map((m) => m.attempts.map((a) => a.attemptId))).toEqual([["a1"], ["a2"]]);
    expect(await remote("a3")).toMatchObject({ state: "queued", workerId: null });
    w.send({ t: "started", id: "a1", at: T0 + 1, pid: 7 });
    w.send({ t: "finished", id: "a1", outcome: { kind: "success", output: "1" }, startedAt: T0 + 1, endedAt: T0 + 2, pid: 7 });
    await eventually(() => w.runIds().includes("a3"), "a3 to be sent after a1 finished");
    expect(w.runIds()).toEqual(["a1", "a2", "a3"]);
  });

  it("holds a worker to the prefetch its hello says, and spreads a burst over idle workers before filling prefetches", async () => {
    const { token } = await h.workerToken(null);
    const w1 = await h.connect(token, { workerId: "w1", concurrency: 2, prefetch: 5 });
    const w2 = await h.connect(token, { workerId: "w2", concurrency: 2, prefetch: 5 });
    await h.enqueue(["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10", "a11", "a12"]);
    await eventually(() => w1.runIds().length + w2.runIds().length === 10, "ten attempts sent");
    // Each got two it can start at once in the first messages, then filled up to five.
    expect(w1.all("run")[0]?.attempts).toHaveLength(2);
    expect(w2.all("run")[0]?.attempts).toHaveLength(2);
    expect(w1.runIds()).toHaveLength(5);
    expect(w2.runIds()).toHaveLength(5);
    expect(await h.store.workers.remoteQueueDepths()).toEqual([{ queue: "default", queued: 2, running: 10 }]);
  });

  it("recalls attempts a worker has not started when another worker of their queue is idle, and gives those handed back to it", async () => {
    const { token } = await h.workerToken(null);
    const w1 = await h.connect(token, { workerId: "w1", concurrency: 1, prefetch: 6 });
    await h.enqueue(["a1", "a2", "a3", "a4", "a5", "a6"]);
    await eventually(() => w1.runIds().length === 6, "six attempts sent to w1");
    w1.send({ t: "started", id: "a1", at: T0 + 1, pid: 7 });
    await eventually(async () => (await remote("a1"))?.state === "running", "a1 running");
    const w2 = await h.connect(token, { workerId: "w2", concurrency: 2, prefetch: 2 });
    // w1 runs a1 and keeps a2 for its one process: of a3…a6, half at most, up to w2's two idle processes, newest first.
    const recall = await w1.next("recall");
    expect(recall.ids).toEqual(["a6", "a5"]);
    h.clock.advance(500); // polls: no second recall while the first is unanswered
    await h.enqueue([]);
    expect(w1.all("recall")).toHaveLength(1);
    w1.send({ t: "handback", ids: ["a6"] }); // a5 started meanwhile
    await eventually(() => w2.runIds().includes("a6"), "a6 to go to the idle worker");
    expect(await remote("a6")).toMatchObject({ state: "assigned", workerId: "w2" });
    expect(await remote("a5")).toMatchObject({ state: "assigned", workerId: "w1" });
  });

  it("with startedDelayMs, writes a short attempt's start with its end; a longer one's start once the delay is over", async () => {
    await h.close();
    h = await HubHarness.start({ startedDelayMs: 50 });
    h.watch("sched-1");
    const { token } = await h.workerToken(null);
    const w = await h.connect(token, { workerId: "w1" });
    await h.enqueue(["a1", "a2"]);
    await eventually(() => w.runIds().length === 2, "two attempts sent");
    w.send({ t: "started", id: "a1", at: T0 + 1, pid: 7 });
    w.send({ t: "started", id: "a2", at: T0 + 1, pid: 8 });
    const outcome = { kind: "success" as const, output: null };
    w.send({ t: "finished", id: "a1", outcome, startedAt: T0 + 1, endedAt: T0 + 2, pid: 7 });
    expect((await w.next("ack")).ids).toEqual(["a1"]);
    expect(await remote("a1")).toMatchObject({ state: "finished", startedAt: T0 + 1, endedAt: T0 + 2, pid: 7 });
    expect(await remote("a2")).toMatchObject({ state: "assigned" }); // its start waits out the delay
    h.clock.advance(50);
    await eventually(async () => (await remote("a2"))?.state === "running", "a2 running after the delay");
    expect(await remote("a2")).toMatchObject({ startedAt: T0 + 1, pid: 8, workerId: "w1" });
    expect(w.all("drop")).toEqual([]);
  });

  it("records started and finished in the mailbox, acks the result and signals the owning scheduler", async () => {
    const { token } = await h.workerToken(null);
    const w = await h.connect(token, { workerId: "w1" });
    await h.enqueue(["a1"]);
    await w.next("run");
    w.send({ t: "started", id: "a1", at: T0 + 5, pid: 77 });
    await eventually(async () => (await remote("a1"))?.state === "running", "a1 running");
    expect(await remote("a1")).toMatchObject({ startedAt: T0 + 5, pid: 77, workerId: "w1" });
    await eventually(() => h.signalled.get("sched-1"), "the scheduler to be signalled of the start");
    const before = h.signalled.get("sched-1")!;
    const outcome = { kind: "success" as const, output: '{"rows":3}' };
    w.send({ t: "finished", id: "a1", outcome, startedAt: T0 + 5, endedAt: T0 + 9, pid: 77 });
    expect((await w.next("ack")).ids).toEqual(["a1"]);
    expect(await remote("a1")).toMatchObject({ state: "finished", outcome, endedAt: T0 + 9 });
    expect(h.signalled.get("sched-1")).toBeGreaterThan(before);
    expect(w.all("drop")).toEqual([]);
  });

  it("tells a worker to drop a late result after it was declared lost (fenced by attempt)", async () => {
    const { token } = await h.workerToken(null);
    const w = await h.connect(token, { workerId: "w1" });
    await h.enqueue(["a1"]);
    await w.next("run");
    w.send({ t: "started", id: "a1", at: T0 + 1, pid: 7 });
    await eventually(async () => (await remote("a1"))?.state === "running", "a1 running");
    expect(await h.store.workers.declareLostWorkers(h.clock.now() + 1, h.clock.now(), () => "lost in a test")).toEqual(["w1"]);
    w.send({ t: "finished", id: "a1", outcome: { kind: "success", output: null }, startedAt: T0 + 1, endedAt: T0 + 2, pid: 7 });
    expect(await w.next("drop")).toEqual({ t: "drop", ids: ["a1"], reason: "not this worker's any more" });
    expect(await remote("a1")).toMatchObject({ state: "finished", outcome: { kind: "crashed", error: "lost in a test" } });
    expect(w.all("ack")).toEqual([]);
  });

  it("forwards a cancel once to the worker running the attempt", async () => {
    const { token } = await h.workerToken(null);
    const w = await h.connect(token, { workerId: "w1" });
    await h.enqueue(["a1"]);
    await w.next("run");
    w.send({ t: "started", id: "a1", at: T0 + 1, pid: 7 });
    await eventually(async () => (await remote("a1"))?.state === "running", "a1 running");
    await h.store.workers.cancelRemoteAttempt("a1", "run cleared", { kind: "failed", error: "cancelled: run cleared", retryable: false }, h.clock.now());
    h.signal.notify(HUB_CANCEL_TARGET);
    expect(await w.next("cancel")).toEqual({ t: "cancel", id: "a1", reason: "run cleared" });
    h.signal.notify(HUB_CANCEL_TARGET);
    h.clock.advance(500); // polls
    await h.enqueue(["a2"]);
    await eventually(() => w.runIds().includes("a2"), "a later pass");
    expect(w.all("cancel")).toHaveLength(1);
  });

  it("requeues what a draining worker hands back and claims nothing more for it", async () => {
    const { token } = await h.workerToken(null);
    const w = await h.connect(token, { workerId: "w1", concurrency: 1 });
    await h.enqueue(["a1", "a2"]);
    await w.next("run");
    w.send({ t: "draining" });
    w.send({ t: "handback", ids: ["a2"] });
    await eventually(async () => (await remote("a2"))?.state === "queued", "a2 back in the queue");
    expect((await h.store.workers.getWorker("w1"))?.state).toBe("draining");
    await h.enqueue(["a3"]);
    h.clock.advance(500);
    // Another worker of the queue gets both: the passes ran, and skipped the draining one.
    const other = await h.connect(token, { workerId: "w2", concurrency: 1 });
    await eventually(() => other.runIds().length === 2, "w2 to get a2 and a3");
    expect(other.runIds().sort()).toEqual(["a2", "a3"]);
    expect(w.runIds()).toEqual(["a1", "a2"]);
  });
});

describe("WorkerHub: reconnecting", () => {
  it("tells a reconnecting worker which attempts it keeps, records what it finished meanwhile, and requeues what it never got", async () => {
    const { token } = await h.workerToken(null);
    const first = await h.connect(token, { workerId: "w1", concurrency: 2 });
    await h.enqueue(["a1", "a2", "a3", "a4"]);
    await eventually(() => first.runIds().length === 4, "four attempts sent");
    for (const id of ["a1", "a2"]) first.send({ t: "started", id, at: T0 + 1, pid: 7 });
    await eventually(async () => (await remote("a2"))?.state === "running", "a1 and a2 running");
    await first.close();
    expect(await h.store.workers.getWorker("w1")).toMatchObject({ state: "active" }); // a closed socket is not a lost worker

    // It finished a2 while away, still runs a1, holds a3, and never got a4.
    const outcome = { kind: "success" as const, output: null };
    const second = await h.connect(token, {
      workerId: "w1",
      holding: ["a1", "a3", "gone"],
      finished: [{ id: "a2", outcome, startedAt: T0 + 1, endedAt: T0 + 3, pid: 7 }],
    });
    expect(second.all("welcome")[0]?.keep.sort()).toEqual(["a1", "a3"]);
    expect(second.messages[0]?.t).toBe("welcome");
    expect((await second.next("ack")).ids).toEqual(["a2"]);
    expect(await remote("a2")).toMatchObject({ state: "finished", outcome });
    expect(await remote("a1")).toMatchObject({ state: "running", workerId: "w1" });
    // a4 went back to the queue, and (room again) came straight back to the worker.
    await eventually(() => second.runIds().includes("a4"), "a4 to be claimed again");
  });

  it("a worker not holding an attempt it had started: that attempt is finished as crashed", async () => {
    const { token } = await h.workerToken(null);
    const first = await h.connect(token, { workerId: "w1" });
    await h.enqueue(["a1"]);
    await first.next("run");
    first.send({ t: "started", id: "a1", at: T0 + 1, pid: 7 });
    await eventually(async () => (await remote("a1"))?.state === "running", "a1 running");
    await first.close();
    const second = await h.connect(token, { workerId: "w1", holding: [] });
    expect(second.all("welcome")[0]?.keep).toEqual([]);
    expect(await remote("a1")).toMatchObject({
      state: "finished",
      outcome: { kind: "crashed", error: expect.stringContaining("reconnected without attempt a1") },
    });
  });
});
