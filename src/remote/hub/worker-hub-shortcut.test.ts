import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AttemptReport, ExecutorListener } from "../../core/ports/executor.js";
import { HUB_TARGET } from "../../core/ports/remote-signal.js";
import { RemoteExecutor } from "../remote-executor.js";
import { eventually, HubHarness, T0, type TestWorker } from "./testing/hub-harness.js";

/**
 * A scheduler's RemoteExecutor and the WorkerHub in one process, sharing the signal (a standalone
 * with `--workers 0`): the MailboxShortcut saves the claim and the take (docs/workers.md, "One process").
 */

let h: HubHarness;
/** What the real store was asked, counted (claims and takes that returned rows). */
let counts: { claimed: number; claims: number; taken: number };
const executors: RemoteExecutor[] = [];

beforeEach(async () => {
  h = await HubHarness.start();
  counts = { claimed: 0, claims: 0, taken: 0 };
  const w = h.store.workers;
  const claim = w.claimRemoteAttempts.bind(w);
  const take = w.takeRemoteUpdates.bind(w);
  w.claimRemoteAttempts = async (...args) => {
    const rows = await claim(...args);
    counts.claims++;
    counts.claimed += rows.length;
    return rows;
  };
  w.takeRemoteUpdates = async (...args) => {
    const r = await take(...args);
    counts.taken += r.finished.length;
    return r;
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

async function startExecutor(schedulerId: string, listener: ExecutorListener, shortcut?: boolean): Promise<RemoteExecutor> {
  const e = new RemoteExecutor({ mailbox: h.store.workers, signal: h.signal, schedulerId, clock: h.clock, ...(shortcut === undefined ? {} : { shortcut }) });
  await e.start(listener);
  executors.push(e);
  return e;
}

/** Connects a worker and waits for the pass after its hello (until then, new attempts wait in the mailbox for a claim). */
async function connectWorker(workerId: string, concurrency: number, prefetch: number): Promise<TestWorker> {
  const { token } = await h.workerToken(null);
  const before = counts.claims;
  const w = await h.connect(token, { workerId, concurrency, prefetch });
  await eventually(() => counts.claims > before, "the hub's pass after the hello");
  return w;
}

function finish(w: TestWorker, id: string, output = '"ok"'): void {
  w.send({ t: "started", id, at: T0 + 1, pid: 7 });
  w.send({ t: "finished", id, outcome: { kind: "success", output }, startedAt: T0 + 1, endedAt: T0 + 2, pid: 7 });
}

describe("WorkerHub and RemoteExecutor in one process (MailboxShortcut)", () => {
  it("writes a new attempt assigned to a worker with room and hands its outcome back in memory: no claim, no take, no signal, no row left", async () => {
    const w = await connectWorker("w1", 2, 4);
    const s = seen();
    const executor = await startExecutor("sched-1", s.listener);
    const hubSignals = h.signalled.get(HUB_TARGET) ?? 0;
    const request = h.request("a1");
    executor.submit(request);
    const run = await w.next("run");
    expect(run.attempts).toEqual([request]);
    expect(await h.store.workers.getRemoteAttempt("a1")).toMatchObject({ state: "assigned", workerId: "w1", schedulerId: "sched-1" });
    finish(w, "a1", '"done"');
    await eventually(() => s.finished.length === 1, "the outcome handed to the executor");
    expect(s.started).toEqual(["a1"]);
    expect(s.finished[0]).toMatchObject({
      attemptId: "a1",
      outcome: { kind: "success", output: '"done"' },
      startedAt: T0 + 1,
      endedAt: T0 + 2,
      pid: 7,
      worker: "w1",
    });
    await eventually(() => w.all("ack").some((m) => m.ids.includes("a1")), "the ack");
    expect(await h.store.workers.getRemoteAttempt("a1")).toBeUndefined();
    expect(counts.claimed).toBe(0);
    expect(counts.taken).toBe(0);
    expect(h.signalled.get("sched-1") ?? 0).toBe(0);
    expect(h.signalled.get(HUB_TARGET) ?? 0).toBe(hubSignals);
    expect(executor.inFlight).toBe(0);
    // A repeated report of a result already taken is refused: the worker is told to drop it.
    finish(w, "a1");
    await w.next("drop", (m) => m.ids.includes("a1"));
    expect(s.finished).toHaveLength(1);
  });

  it("a fenced scheduler's attempt is not written, so not sent, and the room held for it is given back", async () => {
    for (const id of ["s-old", "s-new"]) await h.store.registerScheduler({ id, host: "h", pid: 1, version: "t", startedAt: T0 });
    expect(await h.store.fenceScheduler("s-old", 0, "s-new", T0 + 1)).toBe(true);
    const w = await connectWorker("w1", 1, 1);
    const old = await startExecutor("s-old", seen().listener);
    const live = await startExecutor("s-new", seen().listener);
    old.submit(h.request("late"));
    await eventually(async () => (await h.store.workers.getRemoteAttempt("late")) === undefined && old.inFlight === 1, "the fenced insert");
    // With prefetch 1, the next attempt reaches the worker only if the room held for "late" came back.
    live.submit(h.request("next"));
    await w.next("run");
    expect(w.runIds()).toEqual(["next"]);
    expect(await h.store.workers.getRemoteAttempt("late")).toBeUndefined();
  });

  it("keeps the queue's order when workers are full: later attempts wait in the mailbox behind earlier ones and are claimed as room frees", async () => {
    const w = await connectWorker("w1", 1, 1);
    const s = seen();
    const executor = await startExecutor("sched-1", s.listener);
    executor.submit(h.request("a1"));
    await eventually(() => w.runIds().length === 1, "a1 sent");
    executor.submit(h.request("a2"));
    await eventually(async () => (await h.store.workers.getRemoteAttempt("a2"))?.state === "queued", "a2 queued (no room)");
    h.clock.advance(1);
    executor.submit(h.request("a3"));
    await eventually(async () => (await h.store.workers.getRemoteAttempt("a3"))?.state === "queued", "a3 queued behind a2");
    finish(w, "a1");
    await eventually(() => w.runIds().length === 2, "a2 sent once a1 is done");
    finish(w, "a2");
    await eventually(() => w.runIds().length === 3, "a3 sent once a2 is done");
    expect(w.runIds()).toEqual(["a1", "a2", "a3"]);
    finish(w, "a3");
    await eventually(() => s.finished.length === 3, "all three outcomes");
    expect(s.finished.map((r) => r.attemptId).sort()).toEqual(["a1", "a2", "a3"]);
    expect(counts.claimed).toBe(2);
  });

  it("regression (session 10): a poll while every worker is full does not send the next attempts through the mailbox's claims", async () => {
    const w = await connectWorker("w1", 1, 1);
    const cancelsLooked = { n: 0 };
    const list = h.store.workers.listRemoteCancels.bind(h.store.workers);
    h.store.workers.listRemoteCancels = async (...args) => {
      const rows = await list(...args);
      cancelsLooked.n++;
      return rows;
    };
    const next: string[] = [];
    let executor: RemoteExecutor | null = null;
    const s = seen();
    // Like the scheduler: an outcome lets it hand out the next attempt at once.
    const listener: ExecutorListener = {
      started: s.listener.started,
      finished: (r) => {
        s.listener.finished(r);
        const id = next.shift();
        if (id !== undefined) executor!.submit(h.request(id));
      },
    };
    executor = await startExecutor("sched-1", listener);
    executor.submit(h.request("p1"));
    await eventually(() => w.runIds().length === 1, "p1 sent");
    // The hub's poll: the one worker is full, so no claim looks at the queue.
    const looked = cancelsLooked.n;
    h.clock.advance(100);
    await eventually(() => cancelsLooked.n > looked, "the poll's pass");
    await new Promise((r) => setImmediate(r));
    next.push("p2", "p3");
    finish(w, "p1");
    await eventually(() => w.runIds().length === 2, "p2 sent once p1 is done");
    finish(w, "p2");
    await eventually(() => w.runIds().length === 3, "p3 sent once p2 is done");
    expect(w.runIds()).toEqual(["p1", "p2", "p3"]);
    // Each was written assigned to the worker (it had room by then), none queued and claimed.
    expect(counts.claimed).toBe(0);
  });

  it("an insert that committed but reported an error leaves no attempt assigned to a worker that never got it: it is queued again and sent once", async () => {
    const w = await connectWorker("w1", 2, 4);
    const s = seen();
    const real = h.store.workers;
    let failures = 1;
    const mailbox = {
      enqueueRemoteAttempts: async (rows: Parameters<typeof real.enqueueRemoteAttempts>[0]) => {
        const ids = await real.enqueueRemoteAttempts(rows);
        if (failures-- > 0) throw new Error("connection lost after the commit");
        return ids;
      },
      cancelRemoteAttempt: real.cancelRemoteAttempt.bind(real),
      takeRemoteUpdates: real.takeRemoteUpdates.bind(real),
    };
    const executor = new RemoteExecutor({ mailbox, signal: h.signal, schedulerId: "sched-1", clock: h.clock });
    await executor.start(s.listener);
    executors.push(executor);
    executor.submit(h.request("x1"));
    // Put back to `queued` by the hub, then claimed by the pass that follows (not sent on the failed write).
    await eventually(() => w.runIds().length === 1, "x1 requeued, claimed and sent");
    expect(counts.claimed).toBe(1);
    h.clock.advance(100); // the executor's retry: the row is there, so nothing is inserted and nothing sent
    await eventually(() => executor.inFlight === 1 && failures < 0, "the retried insert");
    finish(w, "x1");
    await eventually(() => s.finished.length === 1, "its outcome");
    h.clock.advance(1_000);
    expect(w.runIds()).toEqual(["x1"]);
    expect(s.finished.map((r) => r.attemptId)).toEqual(["x1"]);
  });

  it("an executor with the shortcut off (as in another process) goes through the mailbox: claimed, finished, signalled and taken", async () => {
    const w = await connectWorker("w1", 2, 4);
    const s = seen();
    const executor = await startExecutor("sched-1", s.listener, false);
    executor.submit(h.request("m1"));
    await w.next("run");
    expect(counts.claimed).toBe(1);
    finish(w, "m1");
    await eventually(() => s.finished.length === 1, "the outcome taken from the mailbox");
    expect(counts.taken).toBe(1);
    expect(h.signalled.get("sched-1")).toBeGreaterThan(0);
    expect(await h.store.workers.getRemoteAttempt("m1")).toBeUndefined();
  });
});
