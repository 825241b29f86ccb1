import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FencedError } from "../../core/errors.js";
import type { AttemptReport, ExecutorListener } from "../../core/ports/executor.js";
import { HUB_TARGET } from "../../core/ports/remote-signal.js";
import { RemoteExecutor } from "../remote-executor.js";
import { eventually, HubHarness, T0, type TestWorker } from "./testing/hub-harness.js";

/**
 * Attempts handed out in the scheduler's commit (docs/workers.md, "Handed out in the scheduler's
 * commit"): the RemoteExecutor gives the scheduler each attempt's mailbox row (Executor.handOffRow),
 * the scheduler writes it with the attempt's record in its own commit (here: `store.commit`, as
 * the unit of work does), and once that commit is durable `submit` sends it to the worker the hub
 * chose. No insert of the executor's own; fencing and the worker channel as before.
 */

let h: HubHarness;
/** Inserts and claims the real store was asked for. */
let counts: { enqueues: number; claimed: number };
const executors: RemoteExecutor[] = [];

beforeEach(async () => {
  h = await HubHarness.start();
  counts = { enqueues: 0, claimed: 0 };
  const w = h.store.workers;
  const enqueue = w.enqueueRemoteAttempts.bind(w);
  const claim = w.claimRemoteAttempts.bind(w);
  w.enqueueRemoteAttempts = async (rows) => {
    counts.enqueues++;
    return enqueue(rows);
  };
  w.claimRemoteAttempts = async (...args) => {
    const rows = await claim(...args);
    counts.claimed += rows.length;
    return rows;
  };
  h.watch("sched-1");
  h.watch(HUB_TARGET);
});
afterEach(async () => {
  for (const e of executors.splice(0)) await e.shutdown(0);
  await h.close();
});

function seen(): { started: string[]; finished: AttemptReport[]; listener: ExecutorListener } {
  const s = { started: [] as string[], finished: [] as AttemptReport[] };
  return { ...s, listener: { started: (id) => void s.started.push(id), finished: (r) => void s.finished.push(r) } };
}

async function startExecutor(schedulerId: string, listener: ExecutorListener): Promise<RemoteExecutor> {
  const e = new RemoteExecutor({ mailbox: h.store.workers, signal: h.signal, schedulerId, clock: h.clock });
  await e.start(listener);
  executors.push(e);
  return e;
}

/** Connects a worker and waits for its hello to be through (welcomed, and the pass after it). */
async function connectWorker(workerId: string, concurrency: number, prefetch: number): Promise<TestWorker> {
  const { token } = await h.workerToken(null);
  const w = await h.connect(token, { workerId, concurrency, prefetch });
  await eventually(async () => (await h.store.workers.getWorker(workerId))?.state === "active", `${workerId} registered`);
  await new Promise((r) => setTimeout(r, 50));
  return w;
}

function finish(w: TestWorker, id: string, output = '"ok"'): void {
  w.send({ t: "started", id, at: T0 + 1, pid: 7 });
  w.send({ t: "finished", id, outcome: { kind: "success", output }, startedAt: T0 + 1, endedAt: T0 + 2, pid: 7 });
}

describe("remote attempts handed out in the scheduler's commit", () => {
  it("the worker gets its attempt once the commit holding its row is durable, with no insert of the executor's own; the outcome comes back once", async () => {
    const w = await connectWorker("w1", 2, 4);
    const s = seen();
    const executor = await startExecutor("sched-1", s.listener);
    const request = h.request("a1");
    expect(executor.handsOffInCommit("default")).toBe(true);
    const row = executor.handOffRow(request);
    // The hub of this process chose the worker before the write: the row goes `assigned` to it.
    expect(row).toMatchObject({ attemptId: "a1", schedulerId: "sched-1", queue: "default", workerId: "w1" });
    expect(JSON.parse(row.requestJson!)).toEqual(request);
    // Not durable yet: nothing is sent.
    await new Promise((r) => setTimeout(r, 50));
    expect(w.runIds()).toEqual([]);
    await h.store.commit({ remoteAttempts: [row] });
    expect(await h.store.workers.getRemoteAttempt("a1")).toMatchObject({ state: "assigned", workerId: "w1", schedulerId: "sched-1" });
    executor.submit(request);
    const run = await w.next("run");
    expect(run.attempts).toEqual([request]);
    finish(w, "a1", '"done"');
    await eventually(() => s.finished.length === 1, "the outcome");
    expect(s.finished[0]).toMatchObject({ attemptId: "a1", outcome: { kind: "success", output: '"done"' }, worker: "w1" });
    expect(await h.store.workers.getRemoteAttempt("a1")).toBeUndefined();
    expect(counts.enqueues).toBe(0);
    expect(counts.claimed).toBe(0);
    expect(executor.inFlight).toBe(0);
    // A repeated result is refused (dropped): no attempt recorded twice.
    finish(w, "a1");
    await w.next("drop", (m) => m.ids.includes("a1"));
    expect(s.finished).toHaveLength(1);
  });

  it("fencing still holds: another worker's result for the attempt is refused, and a fenced scheduler's commit writes no row, so nothing is sent", async () => {
    for (const id of ["s-old", "sched-1"]) await h.store.registerScheduler({ id, host: "h", pid: 1, version: "t", startedAt: T0 });
    const w1 = await connectWorker("w1", 1, 1);
    const w2 = await connectWorker("w2", 1, 1);
    const s = seen();
    const executor = await startExecutor("sched-1", s.listener);
    const request = h.request("a1");
    const row = executor.handOffRow(request);
    await h.store.commit({ remoteAttempts: [row] }, { schedulerId: "sched-1" });
    executor.submit(request);
    const [mine, other] = row.workerId === "w1" ? [w1, w2] : [w2, w1];
    await mine.next("run");
    // A late or stray result from a worker the attempt is not assigned to: dropped, never applied.
    finish(other, "a1", '"stray"');
    await other.next("drop", (m) => m.ids.includes("a1"));
    expect(s.finished).toEqual([]);
    finish(mine, "a1", '"mine"');
    await eventually(() => s.finished.length === 1, "the assigned worker's outcome");
    expect(s.finished[0]).toMatchObject({ attemptId: "a1", outcome: { output: '"mine"' } });

    // A fenced scheduler: its commit writes nothing, so its executor is never told to send, and no row is left to claim.
    expect(await h.store.fenceScheduler("s-old", 0, "sched-1", T0 + 1)).toBe(true);
    const old = await startExecutor("s-old", seen().listener);
    const late = h.request("late");
    const lateRow = old.handOffRow(late);
    await expect(h.store.commit({ remoteAttempts: [lateRow] }, { schedulerId: "s-old" })).rejects.toBeInstanceOf(FencedError);
    expect(await h.store.workers.getRemoteAttempt("late")).toBeUndefined();
    h.clock.advance(1_000);
    await new Promise((r) => setTimeout(r, 100));
    expect([...w1.runIds(), ...w2.runIds()]).toEqual(["a1"]);
  });

  it("a cancel that comes while the commit is under way waits for it: the attempt is sent, then stopped on its worker, and reported once", async () => {
    const w = await connectWorker("w1", 2, 4);
    const s = seen();
    const executor = await startExecutor("sched-1", s.listener);
    const request = h.request("c1");
    const row = executor.handOffRow(request);
    executor.cancel("c1", "run cleared");
    expect(s.finished).toEqual([]);
    await h.store.commit({ remoteAttempts: [row] });
    executor.submit(request);
    await w.next("run");
    expect(await w.next("cancel")).toEqual({ t: "cancel", id: "c1", reason: "run cleared" });
    w.send({
      t: "finished",
      id: "c1",
      outcome: { kind: "failed", error: "cancelled: run cleared", retryable: false },
      startedAt: T0 + 1,
      endedAt: T0 + 2,
      pid: 7,
    });
    await eventually(() => s.finished.length === 1, "the cancelled outcome");
    expect(s.finished[0]).toMatchObject({ attemptId: "c1", outcome: { kind: "failed" } });
    expect(executor.inFlight).toBe(0);
  });

  it("with no worker connected the row is written queued and the API servers are woken: a worker that connects later claims it", async () => {
    const s = seen();
    const executor = await startExecutor("sched-1", s.listener);
    const request = h.request("q1");
    const row = executor.handOffRow(request);
    expect(row.workerId).toBeUndefined();
    await h.store.commit({ remoteAttempts: [row] });
    const woken = h.signalled.get(HUB_TARGET) ?? 0;
    executor.submit(request);
    await eventually(() => (h.signalled.get(HUB_TARGET) ?? 0) > woken, "the hubs woken");
    expect(await h.store.workers.getRemoteAttempt("q1")).toMatchObject({ state: "queued" });
    const w = await connectWorker("w1", 1, 1);
    await eventually(() => w.runIds().length === 1, "claimed by the new worker");
    finish(w, "q1");
    await eventually(() => s.finished.length === 1, "its outcome");
    expect(counts.claimed).toBe(1);
    expect(counts.enqueues).toBe(0);
  });
});
