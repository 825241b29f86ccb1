import { afterEach, describe, expect, it } from "vitest";
import { eventually, HubHarness, T0 } from "./testing/hub-harness.js";

let h: HubHarness;
afterEach(async () => {
  await h.close();
});

const remote = (id: string) => h.store.workers.getRemoteAttempt(id);
const success = { kind: "success" as const, output: null };

describe("WorkerHub: acknowledgements wait for the next frames to their worker", () => {
  it("with ackDelayMs, acks several results in one ack that goes with the next run (or when the delay ends); each result recorded once", async () => {
    h = await HubHarness.start({ ackDelayMs: 1_000 });
    h.watch("sched-1");
    const { token } = await h.workerToken(null);
    const w = await h.connect(token, { workerId: "w1", concurrency: 4, prefetch: 8 });
    await h.enqueue(["a1", "a2", "a3"]);
    await eventually(() => w.runIds().length === 3, "three attempts sent");
    w.send({ t: "finished", id: "a1", outcome: success, startedAt: T0 + 1, endedAt: T0 + 2, pid: 7 });
    w.send({ t: "finished", id: "a2", outcome: success, startedAt: T0 + 1, endedAt: T0 + 3, pid: 8 });
    await eventually(async () => (await remote("a2"))?.state === "finished" && (await remote("a1"))?.state === "finished", "a1 and a2 recorded");
    await new Promise((r) => setTimeout(r, 50));
    expect(w.all("ack")).toEqual([]); // recorded, acknowledged later

    // The next run to this worker takes the waiting ack along (the clock has not moved).
    const before = w.messages.length;
    await h.enqueue(["a4"]);
    await eventually(() => w.runIds().includes("a4"), "a4 sent");
    await eventually(() => w.all("ack").length === 1, "the ack");
    expect(w.messages.slice(before).map((m) => m.t)).toEqual(["run", "ack"]);
    expect(w.all("ack")[0]!.ids.sort()).toEqual(["a1", "a2"]);

    // Nothing else to send: the ack goes when the delay ends.
    w.send({ t: "finished", id: "a3", outcome: success, startedAt: T0 + 1, endedAt: T0 + 4, pid: 9 });
    await eventually(async () => (await remote("a3"))?.state === "finished", "a3 recorded");
    await new Promise((r) => setTimeout(r, 50));
    expect(w.all("ack")).toHaveLength(1);
    h.clock.advance(1_000);
    await eventually(() => w.all("ack").length === 2, "the second ack");
    expect(w.all("ack")[1]!.ids).toEqual(["a3"]);

    // A result said again (as after a reconnect) is not recorded twice: dropped, the first end kept.
    w.send({ t: "finished", id: "a1", outcome: { kind: "failed", error: "again", retryable: true }, startedAt: T0 + 1, endedAt: T0 + 9, pid: 7 });
    expect((await w.next("drop")).ids).toEqual(["a1"]);
    expect(await remote("a1")).toMatchObject({ state: "finished", outcome: success, endedAt: T0 + 2 });
    expect(
      w
        .all("ack")
        .flatMap((m) => m.ids)
        .sort(),
    ).toEqual(["a1", "a2", "a3"]);
  });

  it("acks waiting when the hub closes go out before the socket closes", async () => {
    h = await HubHarness.start({ ackDelayMs: 60_000 });
    h.watch("sched-1");
    const { token } = await h.workerToken(null);
    const w = await h.connect(token, { workerId: "w1" });
    await h.enqueue(["a1"]);
    await w.next("run");
    w.send({ t: "finished", id: "a1", outcome: success, startedAt: T0 + 1, endedAt: T0 + 2, pid: 7 });
    await eventually(async () => (await remote("a1"))?.state === "finished", "a1 recorded");
    await h.hub.close();
    await eventually(() => w.closed, "the socket closed");
    expect(w.all("ack").map((m) => m.ids)).toEqual([["a1"]]);
  });
});
