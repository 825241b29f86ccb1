import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AttemptReport, AttemptRequest, ExecutorListener } from "../core/ports/executor.js";
import { HUB_CANCEL_TARGET, HUB_TARGET, InProcessRemoteSignal } from "../core/ports/remote-signal.js";
import type { WorkerStore } from "../core/ports/worker-store.js";
import { ManualClock } from "../core/testing/manual-clock.js";
import type { FullStore } from "../store/full-store.js";
import { openSqliteStore } from "../store/sqlite/open-sqlite-store.js";
import { RemoteExecutor, type RemoteMailbox } from "./remote-executor.js";

const SCHEDULER = "host:1:abcd1234";
const T0 = Date.parse("2026-12-01T00:00:00Z");

let store: FullStore;
let clock: ManualClock;
let signal: InProcessRemoteSignal;
let executor: RemoteExecutor | undefined;
let seen: { started: [string, number, number | null, string | undefined][]; finished: AttemptReport[] };
let hubWakes = 0;
let cancelWakes = 0;

const listener: ExecutorListener = {
  started: (id, at, pid, worker) => void seen.started.push([id, at, pid, worker]),
  finished: (report) => void seen.finished.push(report),
};

beforeEach(async () => {
  store = await openSqliteStore(":memory:");
  clock = new ManualClock(T0);
  signal = new InProcessRemoteSignal();
  seen = { started: [], finished: [] };
  hubWakes = 0;
  cancelWakes = 0;
  signal.subscribe(HUB_TARGET, () => hubWakes++);
  signal.subscribe(HUB_CANCEL_TARGET, () => cancelWakes++);
});

afterEach(async () => {
  await executor?.shutdown(0);
  executor = undefined;
  await store.close();
});

async function startExecutor(mailbox: RemoteMailbox = store.workers, window?: number): Promise<RemoteExecutor> {
  executor = new RemoteExecutor({ mailbox, signal, schedulerId: SCHEDULER, clock, ...(window === undefined ? {} : { window }) });
  await executor.start(listener);
  return executor;
}

function request(taskId: string, queue?: string): AttemptRequest {
  return {
    attemptId: `7/${taskId}/-1/1`,
    runPk: 7,
    taskId,
    mapIndex: -1,
    tryNumber: 1,
    maxTries: 1,
    bundlePath: "/bundles/abc.mjs",
    task: {
      taskId,
      kind: "function",
      upstream: [],
      inputs: {},
      retries: 0,
      retryDelayMs: 0,
      retryExponentialBackoff: false,
      maxRetryDelayMs: null,
      executionTimeoutMs: null,
      triggerRule: "all_success",
      pool: "default_pool",
      poolSlots: 1,
      priorityWeight: 1,
      dependsOnPast: false,
      command: null,
      line: null,
      doc: null,
      inlets: [],
      outlets: [],
      ...(queue ? { queue } : {}),
    },
    context: {
      dagId: "d",
      runId: "r",
      runType: "manual",
      logicalDate: null,
      dataIntervalStart: null,
      dataIntervalEnd: null,
      timezone: "UTC",
      params: {},
      conf: {},
    },
    inputs: {},
    logPath: `/logs/${taskId}.log`,
    maxOutputBytes: 1024,
  };
}

/** Lets the executor's store calls and next-turn writes run (time stands still). */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
}

/** What an API server does for one of its workers: claim, start, finish (each write followed by its signal when `wake`). */
async function hub(workers: WorkerStore, queue: string, wake = true) {
  const claimed = await workers.claimRemoteAttempts("w1", [queue], 10, clock.now());
  let startedAt = clock.now();
  return {
    claimed,
    start: async (at: number) => {
      startedAt = at;
      const ok = await workers.markRemoteStarted(claimed.map((a) => ({ attemptId: a.attemptId, workerId: "w1", startedAt: at, pid: 4242 })));
      if (wake) signal.notify(SCHEDULER);
      return ok;
    },
    finish: async (at: number, outcome: AttemptReport["outcome"] = { kind: "success", output: "1" }) => {
      const ok = await workers.finishRemoteAttempts(
        claimed.map((a) => ({ attemptId: a.attemptId, workerId: "w1", outcome, startedAt, endedAt: at, pid: 4242 })),
      );
      if (wake) signal.notify(SCHEDULER);
      return ok;
    },
  };
}

describe("RemoteExecutor over the SQLite mailbox", () => {
  it("writes what is submitted in one turn as queued rows of this scheduler, and wakes the hub", async () => {
    const ex = await startExecutor();
    ex.submit(request("a", "gpu"));
    ex.submit(request("b"));
    expect(await store.workers.getRemoteAttempt("7/a/-1/1")).toBeUndefined(); // not before the next turn
    await settle();
    expect(await store.workers.getRemoteAttempt("7/a/-1/1")).toMatchObject({ state: "queued", schedulerId: SCHEDULER, queue: "gpu", runPk: 7, createdAt: T0 });
    expect(await store.workers.getRemoteAttempt("7/b/-1/1")).toMatchObject({ state: "queued", queue: "default" });
    expect(hubWakes).toBe(1);
    expect(ex.capacityFor("gpu")).toBe(1_000);
  });

  it("reports started (with the worker) and finished once, woken by the signal", async () => {
    const ex = await startExecutor();
    ex.submit(request("a", "gpu"));
    await settle();
    const api = await hub(store.workers, "gpu");
    expect(api.claimed.map((a) => a.attemptId)).toEqual(["7/a/-1/1"]);
    await api.start(T0 + 5);
    await settle();
    expect(seen.started).toEqual([["7/a/-1/1", T0 + 5, 4242, "w1"]]);
    await api.finish(T0 + 50);
    await settle();
    expect(seen.finished).toEqual([
      { attemptId: "7/a/-1/1", outcome: { kind: "success", output: "1" }, startedAt: T0 + 5, endedAt: T0 + 50, pid: 4242, worker: "w1" },
    ]);
    // Taken: the row is gone, and later polls report nothing more.
    expect(await store.workers.getRemoteAttempt("7/a/-1/1")).toBeUndefined();
    clock.advance(5_000);
    await settle();
    expect(seen.finished).toHaveLength(1);
    expect(ex.inFlight).toBe(0);
  });

  it("finds outcomes by polling on the clock when a signal is lost, and stops polling when nothing is in flight", async () => {
    const ex = await startExecutor();
    ex.submit(request("a", "gpu"));
    await settle();
    const api = await hub(store.workers, "gpu", false);
    await api.start(T0 + 1);
    await api.finish(T0 + 2);
    await settle();
    expect(seen.finished).toEqual([]);
    clock.advance(100); // in-process signal: polls every 100 ms
    await settle();
    expect(seen.started.map((s) => s[0])).toEqual(["7/a/-1/1"]);
    expect(seen.finished.map((r) => r.attemptId)).toEqual(["7/a/-1/1"]);
    expect(ex.inFlight).toBe(0);
    expect(clock.pending).toBe(0);
  });

  it("cancels a queued attempt: reported at once as cancelled, the way the local pool does, and never handed out", async () => {
    const ex = await startExecutor();
    ex.submit(request("a", "gpu"));
    await settle();
    ex.cancel("7/a/-1/1", "run cleared");
    await settle();
    expect(seen.finished).toEqual([
      { attemptId: "7/a/-1/1", outcome: { kind: "failed", error: "cancelled: run cleared", retryable: false }, startedAt: T0, endedAt: T0, pid: null },
    ]);
    expect(await store.workers.getRemoteAttempt("7/a/-1/1")).toBeUndefined();
    expect((await hub(store.workers, "gpu")).claimed).toEqual([]);
    expect([hubWakes, cancelWakes]).toEqual([1, 1]); // the submit (new work), the cancel (a stop to forward)
  });

  it("cancels an attempt not yet written without writing it", async () => {
    const ex = await startExecutor();
    ex.submit(request("a", "gpu"));
    ex.cancel("7/a/-1/1", "stop");
    expect(seen.finished).toEqual([]); // never from inside cancel()
    await settle();
    expect(seen.finished.map((r) => r.outcome)).toEqual([{ kind: "failed", error: "cancelled: stop", retryable: false }]);
    expect(await store.workers.getRemoteAttempt("7/a/-1/1")).toBeUndefined();
  });

  it("cancels a running attempt by asking its worker; its outcome comes back once", async () => {
    const ex = await startExecutor();
    ex.submit(request("a", "gpu"));
    await settle();
    const api = await hub(store.workers, "gpu");
    await api.start(T0 + 1);
    await settle();
    ex.cancel("7/a/-1/1", "timed out");
    await settle();
    expect(await store.workers.listRemoteCancels(["w1"])).toEqual([{ attemptId: "7/a/-1/1", workerId: "w1", cancelReason: "timed out" }]);
    expect(seen.finished).toEqual([]);
    await api.finish(T0 + 9, { kind: "failed", error: "cancelled: timed out", retryable: false });
    await settle();
    expect(seen.finished.map((r) => [r.attemptId, r.outcome.kind, r.worker])).toEqual([["7/a/-1/1", "failed", "w1"]]);
  });

  it("loses nothing to store errors: a failed write and failed reads are tried again with backoff", async () => {
    const failing = { enqueue: 2, take: 3 };
    const calls = { enqueue: 0, take: 0 };
    const mailbox: RemoteMailbox = {
      enqueueRemoteAttempts: async (rows) => {
        calls.enqueue++;
        if (failing.enqueue-- > 0) throw new Error("database is locked");
        return store.workers.enqueueRemoteAttempts(rows);
      },
      cancelRemoteAttempt: (...a) => store.workers.cancelRemoteAttempt(...a),
      takeRemoteUpdates: async (id, awaiting) => {
        calls.take++;
        if (failing.take-- > 0) throw new Error("connection reset");
        return store.workers.takeRemoteUpdates(id, awaiting);
      },
    };
    await startExecutor(mailbox);
    executor!.submit(request("a", "gpu"));
    await settle();
    expect(await store.workers.getRemoteAttempt("7/a/-1/1")).toBeUndefined();
    clock.advance(100); // first retry: fails again
    await settle();
    expect(await store.workers.getRemoteAttempt("7/a/-1/1")).toBeUndefined();
    clock.advance(200); // second retry: written
    await settle();
    expect(await store.workers.getRemoteAttempt("7/a/-1/1")).toMatchObject({ state: "queued" });
    expect(calls.enqueue).toBe(3);

    const api = await hub(store.workers, "gpu");
    await api.start(T0 + 300);
    await api.finish(T0 + 301);
    await settle(); // the signal's poll fails
    expect(seen.finished).toEqual([]);
    for (let i = 0; i < 20 && seen.finished.length === 0; i++) {
      clock.advanceToNext();
      await settle();
    }
    expect(calls.take).toBe(4); // three failures, then the outcome
    expect(seen.finished.map((r) => r.attemptId)).toEqual(["7/a/-1/1"]);
    expect(seen.started.map((s) => s[0])).toEqual(["7/a/-1/1"]);
  });

  it("shutdown drops what was never written, gives running attempts their grace, then stops polling", async () => {
    const ex = await startExecutor();
    ex.submit(request("a", "gpu"));
    await settle();
    const api = await hub(store.workers, "gpu");
    await api.start(T0 + 1);
    await settle();
    ex.submit(request("late", "gpu"));
    let stopped = false;
    const stopping = ex.shutdown(10_000).then(() => (stopped = true));
    ex.submit(request("refused", "gpu"));
    await settle();
    expect(await store.workers.getRemoteAttempt("7/late/-1/1")).toBeUndefined();
    expect(await store.workers.getRemoteAttempt("7/refused/-1/1")).toBeUndefined();
    await api.finish(T0 + 2);
    await settle();
    await stopping;
    expect(stopped).toBe(true);
    expect(seen.finished.map((r) => r.attemptId)).toEqual(["7/a/-1/1"]);
    expect(clock.pending).toBe(0);
  });

  it("shutdown after its grace leaves a running attempt on its worker", async () => {
    const ex = await startExecutor();
    ex.submit(request("a", "gpu"));
    await settle();
    await (await hub(store.workers, "gpu")).start(T0 + 1);
    await settle();
    const stopping = ex.shutdown(1_000);
    clock.advance(1_000);
    await stopping;
    expect(await store.workers.getRemoteAttempt("7/a/-1/1")).toMatchObject({ state: "running", workerId: "w1", cancelReason: null });
    expect(seen.finished).toEqual([]);
    expect(clock.pending).toBe(0);
  });
});
