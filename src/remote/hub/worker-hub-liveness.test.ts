import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eventually, HubHarness, LOST_MS, T0 } from "./testing/hub-harness.js";
import { SWEEP_MS } from "./worker-hub.js";

let h: HubHarness;
beforeEach(async () => {
  h = await HubHarness.start();
  h.watch("sched-1");
});
afterEach(async () => {
  await h.close();
});

const remote = (id: string) => h.store.workers.getRemoteAttempt(id);

/** A worker `w1` (concurrency 1) holding a1 (running) and a2 (assigned, not started). */
async function busyWorker() {
  const { token } = await h.workerToken(null);
  const w = await h.connect(token, { workerId: "w1", concurrency: 1 });
  await h.enqueue(["a1", "a2"]);
  await w.next("run");
  w.send({ t: "started", id: "a1", at: T0 + 1, pid: 7 });
  await eventually(async () => (await remote("a1"))?.state === "running", "a1 running");
  return w;
}

describe("WorkerHub: liveness", () => {
  it("declares a silent worker lost after lostAfterMs: its running attempt crashed, its assigned one infra_failed (a new try, never the same one twice), its scheduler signalled", async () => {
    const w = await busyWorker();
    const signalsBefore = h.signalled.get("sched-1") ?? 0;
    h.clock.advance(LOST_MS + SWEEP_MS);
    await eventually(async () => (await h.store.workers.getWorker("w1"))?.state === "lost", "w1 to be declared lost");
    expect(await h.store.workers.getWorker("w1")).toMatchObject({ reason: expect.stringContaining("not heard from for more than 10000 ms") });
    expect(await remote("a1")).toMatchObject({ state: "finished", outcome: { kind: "crashed", error: expect.stringContaining("worker w1 lost") } });
    expect(await remote("a2")).toMatchObject({
      state: "finished",
      outcome: { kind: "infra_failed", error: expect.stringContaining("before it reported starting the attempt") },
    });
    await eventually(() => (h.signalled.get("sched-1") ?? 0) > signalsBefore, "the scheduler to be signalled");
    // The worker, if it still listens, drops everything and is refused.
    expect((await w.next("drop")).ids.sort()).toEqual(["a1", "a2"]);
    expect((await w.next("refused")).error).toMatch(/lost/);
  });

  it("keeps a worker that heartbeats alive, and cuts off one whose heartbeat finds it declared lost", async () => {
    const w = await busyWorker();
    for (let i = 0; i < 6; i++) {
      h.clock.advance(2_000);
      w.send({ t: "heartbeat", holding: 2 });
      await eventually(async () => (await h.store.workers.getWorker("w1"))?.lastSeenAt === h.clock.now(), "the heartbeat to be recorded");
    }
    expect(await h.store.workers.getWorker("w1")).toMatchObject({ state: "active", running: 2 });
    expect(w.all("refused")).toEqual([]);

    await h.store.workers.declareLostWorkers(h.clock.now() + 1, h.clock.now(), () => "lost elsewhere");
    h.clock.advance(2_000);
    w.send({ t: "heartbeat", holding: 2 });
    expect((await w.next("drop")).ids.sort()).toEqual(["a1", "a2"]);
    expect((await w.next("refused")).error).toMatch(/declared lost/);
    await eventually(() => w.closed, "the socket to close");
  });

  it("does not make a worker lost when its socket closes: a reconnect in time keeps its attempts", async () => {
    const w = await busyWorker();
    await w.close();
    h.clock.advance(LOST_MS / 2);
    const { token } = await h.workerToken(null);
    const again = await h.connect(token, { workerId: "w1", concurrency: 1, holding: ["a1", "a2"] });
    expect(again.all("welcome")[0]?.keep.sort()).toEqual(["a1", "a2"]);
    h.clock.advance(LOST_MS / 2 + SWEEP_MS);
    again.send({ t: "heartbeat", holding: 2 });
    await eventually(async () => (await h.store.workers.getWorker("w1"))?.lastSeenAt === h.clock.now(), "the heartbeat to be recorded");
    expect(await h.store.workers.getWorker("w1")).toMatchObject({ state: "active" });
    expect(await remote("a1")).toMatchObject({ state: "running", workerId: "w1" });
  });
});
