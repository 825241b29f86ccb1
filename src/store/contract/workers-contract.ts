import { describe, expect, it } from "vitest";
import { FencedError } from "../../core/errors.js";
import type { AttemptOutcome, AttemptRequest } from "../../core/ports/executor.js";
import type { NewRemoteAttempt, RemoteAttemptEnd, WorkerRecord, WorkerTokenRecord } from "../../core/model/workers.js";
import { AWKWARD_JSON, attempt as attemptRow, newRun, taskInstance, taskSpec } from "./fixtures.js";
import type { StoreUnderTest } from "./store-under-test.js";

const T0 = 1_700_000_000_000;

function request(attemptId: string, runPk = 1): AttemptRequest {
  return {
    attemptId,
    runPk,
    taskId: "t",
    mapIndex: -1,
    tryNumber: 1,
    maxTries: 1,
    bundlePath: `/bundles/${"a".repeat(64)}.mjs`,
    task: taskSpec("t"),
    context: {
      dagId: "etl",
      runId: "r1",
      runType: "manual",
      logicalDate: null,
      dataIntervalStart: null,
      dataIntervalEnd: null,
      timezone: "UTC",
      params: {},
      conf: AWKWARD_JSON,
    },
    inputs: { x: AWKWARD_JSON },
    logPath: "/logs/a.log",
    maxOutputBytes: 1024,
  };
}

const attempt = (id: string, over: Partial<NewRemoteAttempt> = {}): NewRemoteAttempt => ({
  attemptId: id,
  runPk: 1,
  schedulerId: "s1",
  queue: "default",
  request: request(id, over.runPk ?? 1),
  createdAt: T0,
  ...over,
});

const worker = (id: string, over: Partial<WorkerRecord> = {}): WorkerRecord => ({
  id,
  name: id,
  host: "h",
  pid: 42,
  tokenId: "0123456789ab",
  queues: ["default"],
  concurrency: 4,
  running: 0,
  version: "1.0.0",
  state: "active",
  startedAt: T0,
  lastSeenAt: T0,
  stateChangedAt: T0,
  reason: null,
  ...over,
});

const token = (id: string, over: Partial<WorkerTokenRecord> = {}): WorkerTokenRecord => ({
  id,
  name: `token ${id}`,
  secretHash: "f".repeat(64),
  queues: ["gpu", "io"],
  createdBy: "admin",
  createdAt: T0,
  lastSeenAt: null,
  revokedAt: null,
  ...over,
});

const success: AttemptOutcome = { kind: "success", output: JSON.stringify(AWKWARD_JSON) };
const end = (attemptId: string, workerId: string, outcome: AttemptOutcome = success): RemoteAttemptEnd => ({
  attemptId,
  workerId,
  outcome,
  startedAt: T0 + 10,
  endedAt: T0 + 20,
  pid: 99,
});
const ids = (rows: { attemptId: string }[]): string[] => rows.map((r) => r.attemptId);

export function describeWorkersContract(sut: StoreUnderTest): void {
  describe("remote workers", () => {
    it("an attempt's history row names the remote worker that ran it (null for the local pool), and an update can set it", async () => {
      const run = (await sut.store.createRun(newRun("etl", "r1"), [taskInstance("a"), taskInstance("b")]))!;
      await sut.store.commit({
        taskInstances: [
          taskInstance("a", { runPk: run.id, state: "running", tryNumber: 1 }),
          taskInstance("b", { runPk: run.id, state: "running", tryNumber: 1 }),
        ],
        attempts: [attemptRow(run.id, "a", 1), attemptRow(run.id, "b", 1, { worker: "host:1:abc" })],
      });
      expect((await sut.store.listAttempts(run.id)).map((a) => [a.taskId, a.worker])).toEqual([
        ["a", null],
        ["b", "host:1:abc"],
      ]);
      await sut.store.commit({ attempts: [attemptRow(run.id, "a", 1, { state: "success", worker: "host:2:def" })] });
      expect((await sut.store.listAttempts(run.id, "a"))[0]).toEqual(attemptRow(run.id, "a", 1, { state: "success", worker: "host:2:def" }));
      // Recovery rewrites an interrupted attempt without knowing its worker or log: both are kept.
      await sut.store.commit({ attempts: [attemptRow(run.id, "b", 1, { state: "failed", worker: null, logPath: null, error: "scheduler restarted" })] });
      expect((await sut.store.listAttempts(run.id, "b"))[0]).toMatchObject({
        state: "failed",
        worker: "host:1:abc",
        logPath: attemptRow(run.id, "b", 1).logPath,
      });
    });

    it("worker tokens: create, get, list newest first, revoke once, touch", async () => {
      const w = sut.store.workers;
      await w.createWorkerToken(token("aaaaaaaaaaaa"));
      await w.createWorkerToken(token("bbbbbbbbbbbb", { createdAt: T0 + 1, queues: null, createdBy: null }));
      expect(await w.getWorkerToken("aaaaaaaaaaaa")).toEqual(token("aaaaaaaaaaaa"));
      expect(await w.getWorkerToken("nope")).toBeUndefined();
      expect((await w.listWorkerTokens()).map((t) => t.id)).toEqual(["bbbbbbbbbbbb", "aaaaaaaaaaaa"]);
      await w.touchWorkerToken("aaaaaaaaaaaa", T0 + 5);
      expect(await w.revokeWorkerToken("aaaaaaaaaaaa", T0 + 6)).toBe(true);
      expect(await w.revokeWorkerToken("aaaaaaaaaaaa", T0 + 7)).toBe(false);
      expect(await w.revokeWorkerToken("unknown", T0 + 7)).toBe(false);
      expect(await w.getWorkerToken("aaaaaaaaaaaa")).toEqual(token("aaaaaaaaaaaa", { lastSeenAt: T0 + 5, revokedAt: T0 + 6 }));
      expect(await w.getWorkerToken("bbbbbbbbbbbb")).toMatchObject({ queues: null, createdBy: null, revokedAt: null });
    });

    it("registry: upsert keeps startedAt on reconnect; touch refuses a lost or unknown worker; list puts live workers first", async () => {
      const w = sut.store.workers;
      await w.upsertWorker(worker("w1"));
      await w.upsertWorker(worker("w1", { startedAt: T0 + 50, pid: 43, queues: ["a", "b"], state: "draining", lastSeenAt: T0 + 50 }));
      expect(await w.getWorker("w1")).toEqual(worker("w1", { pid: 43, queues: ["a", "b"], state: "draining", lastSeenAt: T0 + 50 }));
      expect(await w.touchWorker("w1", T0 + 60, 3)).toBe(true);
      expect(await w.getWorker("w1")).toMatchObject({ lastSeenAt: T0 + 60, running: 3 });
      expect(await w.touchWorker("ghost", T0 + 60, 0)).toBe(false);

      await w.upsertWorker(worker("old-stopped", { startedAt: T0 - 100, lastSeenAt: T0 - 100, state: "stopped" }));
      await w.upsertWorker(worker("recent-stopped", { startedAt: T0 - 50, lastSeenAt: T0 + 10, state: "stopped" }));
      await w.upsertWorker(worker("w2", { startedAt: T0 + 5 }));
      await w.setWorkerState("recent-stopped", "lost", T0 + 11, "worker gone");
      expect(await w.getWorker("recent-stopped")).toMatchObject({ state: "lost", stateChangedAt: T0 + 11, reason: "worker gone" });
      expect(await w.touchWorker("recent-stopped", T0 + 12, 0)).toBe(false);
      expect((await w.listWorkers(T0)).map((x) => x.id)).toEqual(["w2", "w1", "recent-stopped"]);
      expect((await w.listWorkers(T0 - 1000)).map((x) => x.id)).toEqual(["w2", "w1", "recent-stopped", "old-stopped"]);
    });

    it("enqueue writes nothing for a scheduler whose lease is fenced (its adopter released its runs); an unknown or live lease is not fenced", async () => {
      const w = sut.store.workers;
      for (const id of ["s1", "s2"]) await sut.store.registerScheduler({ id, host: "h", pid: 1, version: "t", startedAt: T0 });
      expect(await sut.store.fenceScheduler("s1", 0, "s2", T0 + 1)).toBe(true);
      await w.enqueueRemoteAttempts([
        attempt("late", { schedulerId: "s1" }),
        attempt("live", { schedulerId: "s2" }),
        attempt("nolease", { schedulerId: "bench" }),
      ]);
      expect(await w.getRemoteAttempt("late")).toBeUndefined();
      expect(await w.getRemoteAttempt("live")).toMatchObject({ state: "queued", schedulerId: "s2" });
      expect(await w.getRemoteAttempt("nolease")).toMatchObject({ state: "queued" });
      // One scheduler's rows alone (on PostgreSQL one statement): the same.
      await w.enqueueRemoteAttempts([attempt("late2", { schedulerId: "s1" }), attempt("late3", { schedulerId: "s1" })]);
      await w.enqueueRemoteAttempts([attempt("live2", { schedulerId: "s2" })]);
      expect(await w.getRemoteAttempt("late2")).toBeUndefined();
      expect(await w.getRemoteAttempt("late3")).toBeUndefined();
      expect(await w.getRemoteAttempt("live2")).toMatchObject({ state: "queued", schedulerId: "s2" });
    });

    it("bundles are saved once by their sha256", async () => {
      const w = sut.store.workers;
      const code = `export default ${JSON.stringify(AWKWARD_JSON)};\n`;
      await w.saveBundle("ab".repeat(32), code, T0);
      await w.saveBundle("ab".repeat(32), "something else", T0 + 1);
      expect(await w.getBundle("ab".repeat(32))).toBe(code);
      expect(await w.getBundle("cd".repeat(32))).toBeUndefined();
    });

    it("claims queued attempts of the worker's queues oldest first, up to the limit, with their requests intact", async () => {
      const w = sut.store.workers;
      await w.enqueueRemoteAttempts([
        attempt("a3", { createdAt: T0 + 3 }),
        attempt("a1", { createdAt: T0 + 1 }),
        attempt("gpu1", { queue: "gpu", createdAt: T0 }),
        attempt("a2b", { createdAt: T0 + 2 }),
        attempt("a2a", { createdAt: T0 + 2 }),
      ]);
      await w.enqueueRemoteAttempts([attempt("a1", { createdAt: T0 + 99, queue: "other" })]); // repeated: left as it was
      const first = await w.claimRemoteAttempts("w1", ["default"], 3, T0 + 10);
      expect(ids(first)).toEqual(["a1", "a2a", "a2b"]);
      expect(first[0]).toEqual({
        attemptId: "a1",
        runPk: 1,
        schedulerId: "s1",
        queue: "default",
        request: request("a1"),
        state: "assigned",
        workerId: "w1",
        cancelReason: null,
        createdAt: T0 + 1,
        assignedAt: T0 + 10,
        startedAt: null,
        endedAt: null,
        pid: null,
        outcome: null,
      });
      expect(ids(await w.claimRemoteAttempts("w2", ["default", "io"], 10, T0 + 11))).toEqual(["a3"]);
      expect(await w.claimRemoteAttempts("w2", ["default"], 10, T0 + 11)).toEqual([]);
      expect(await w.claimRemoteAttempts("w2", ["gpu"], 0, T0 + 11)).toEqual([]);
      expect(await w.claimRemoteAttempts("w2", [], 5, T0 + 11)).toEqual([]);
      expect(ids(await w.claimRemoteAttempts("w3", ["gpu"], 5, T0 + 12))).toEqual(["gpu1"]);
      expect(await w.remoteQueueDepths()).toEqual([
        { queue: "default", queued: 0, running: 4 },
        { queue: "gpu", queued: 0, running: 1 },
      ]);
    });

    it("claimers at once never get the same attempt", async () => {
      const w = sut.store.workers;
      const claimers = ["w1", "w2", "w3", "w4"];
      for (let round = 0; round < 15; round++) {
        await w.enqueueRemoteAttempts(Array.from({ length: 30 }, (_, i) => attempt(`r${round}-${String(i).padStart(2, "0")}`, { createdAt: T0 + i })));
        const claimed = await Promise.all(claimers.map((id) => w.claimRemoteAttempts(id, ["default"], 9, T0 + 100)));
        const all = claimed.flatMap(ids);
        expect(new Set(all).size).toBe(all.length);
        expect(all.length).toBe(30);
        for (const [i, id] of claimers.entries()) {
          expect(ids(await w.listWorkerAttempts(id)).sort()).toEqual(ids(claimed[i]!).sort());
          await w.finishRemoteAttempts(claimed[i]!.map((a) => end(a.attemptId, id)));
        }
        expect((await w.takeRemoteUpdates("s1", [])).finished).toHaveLength(30);
      }
    });

    it("fencing: start and finish are accepted only from the worker the attempt is assigned to, and finish once", async () => {
      const w = sut.store.workers;
      await w.enqueueRemoteAttempts([attempt("a1"), attempt("a2", { createdAt: T0 + 1 })]);
      await w.claimRemoteAttempts("w1", ["default"], 2, T0 + 5);
      expect(await w.markRemoteStarted([{ attemptId: "a1", workerId: "w2", startedAt: T0 + 6, pid: 1 }])).toEqual([]);
      expect(
        await w.markRemoteStarted([
          { attemptId: "a1", workerId: "w1", startedAt: T0 + 6, pid: 7 },
          { attemptId: "a1", workerId: "w1", startedAt: T0 + 6, pid: 7 },
          { attemptId: "nope", workerId: "w1", startedAt: T0 + 6, pid: 7 },
        ]),
      ).toEqual(["a1"]);
      expect(await w.getRemoteAttempt("a1")).toMatchObject({ state: "running", startedAt: T0 + 6, pid: 7 });
      expect(await w.finishRemoteAttempts([end("a1", "w2"), end("a2", "w2")])).toEqual([]);
      expect((await w.finishRemoteAttempts([end("a1", "w1"), end("a2", "w1", { kind: "failed", error: "boom", retryable: true })])).sort()).toEqual([
        "a1",
        "a2",
      ]);
      expect(await w.finishRemoteAttempts([end("a1", "w1")])).toEqual([]);
      expect(await w.markRemoteStarted([{ attemptId: "a2", workerId: "w1", startedAt: T0 + 30, pid: 8 }])).toEqual([]);
      expect(await w.getRemoteAttempt("a2")).toMatchObject({
        state: "finished",
        workerId: "w1",
        startedAt: T0 + 10,
        endedAt: T0 + 20,
        pid: 99,
        outcome: { kind: "failed", error: "boom", retryable: true },
      });
    });

    it("enqueue returns the ids it inserted, and writes a row with a workerId assigned to that worker (no claim needed)", async () => {
      const w = sut.store.workers;
      for (const id of ["s1", "s2"]) await sut.store.registerScheduler({ id, host: "h", pid: 1, version: "t", startedAt: T0 });
      expect((await w.enqueueRemoteAttempts([attempt("q1"), attempt("d1", { workerId: "w1", createdAt: T0 + 5 })])).sort()).toEqual(["d1", "q1"]);
      expect(await w.getRemoteAttempt("d1")).toMatchObject({ state: "assigned", workerId: "w1", assignedAt: T0 + 5, createdAt: T0 + 5 });
      expect(await w.getRemoteAttempt("q1")).toMatchObject({ state: "queued", workerId: null, assignedAt: null });
      // Repeated ids are not inserted again (and not returned); the claim sees only the queued one.
      expect(await w.enqueueRemoteAttempts([attempt("d1", { workerId: "w2" }), attempt("q2", { createdAt: T0 + 1 })])).toEqual(["q2"]);
      expect(await w.getRemoteAttempt("d1")).toMatchObject({ state: "assigned", workerId: "w1" });
      expect(ids(await w.claimRemoteAttempts("w2", ["default"], 10, T0 + 9))).toEqual(["q1", "q2"]);
      expect(ids(await w.listWorkerAttempts("w1"))).toEqual(["d1"]);
      // A fenced scheduler inserts nothing, assigned or not (several schedulers' rows, and one scheduler's alone).
      expect(await sut.store.fenceScheduler("s1", 0, "s2", T0 + 1)).toBe(true);
      expect(await w.enqueueRemoteAttempts([attempt("f1", { schedulerId: "s1", workerId: "w1" }), attempt("f2", { schedulerId: "s1" })])).toEqual([]);
      expect(
        await w.enqueueRemoteAttempts([attempt("f3", { schedulerId: "s1", workerId: "w1" }), attempt("ok", { schedulerId: "s2", workerId: "w1" })]),
      ).toEqual(["ok"]);
      expect(await w.getRemoteAttempt("f1")).toBeUndefined();
      expect(await w.getRemoteAttempt("f3")).toBeUndefined();
      expect(await w.getRemoteAttempt("ok")).toMatchObject({ state: "assigned", workerId: "w1", schedulerId: "s2" });
    });

    it("a scheduler's commit writes its remote attempts' mailbox rows with their attempt records, in one transaction, fenced by its lease", async () => {
      const w = sut.store.workers;
      for (const id of ["s1", "s2"]) await sut.store.registerScheduler({ id, host: "h", pid: 1, version: "t", startedAt: T0 });
      const run = (await sut.store.createRun(newRun("etl", "r1"), [taskInstance("t"), taskInstance("u")]))!;
      const queued = (taskId: string) => ({
        taskInstances: [taskInstance(taskId, { runPk: run.id, state: "queued", tryNumber: 1 })],
        attempts: [attemptRow(run.id, taskId, 1, { state: "queued" })],
      });
      // Handed out in the commit: the attempt's record and its row (assigned to the worker chosen, or queued) land together.
      await sut.store.commit(
        { ...queued("t"), remoteAttempts: [attempt("a-t", { runPk: run.id, workerId: "w1", createdAt: T0 + 3 }), attempt("a-q", { runPk: run.id })] },
        { schedulerId: "s1" },
      );
      expect((await sut.store.listAttempts(run.id, "t")).map((a) => a.state)).toEqual(["queued"]);
      expect(await w.getRemoteAttempt("a-t")).toMatchObject({ state: "assigned", workerId: "w1", assignedAt: T0 + 3, schedulerId: "s1", runPk: run.id });
      expect((await w.getRemoteAttempt("a-t"))?.request).toEqual(request("a-t", run.id));
      expect(await w.getRemoteAttempt("a-q")).toMatchObject({ state: "queued", workerId: null });
      // A row already there is left as it is (a commit retried after one whose outcome was unknown).
      await sut.store.commit({ remoteAttempts: [attempt("a-t", { runPk: run.id, workerId: "w2" })] }, { schedulerId: "s1" });
      expect(await w.getRemoteAttempt("a-t")).toMatchObject({ state: "assigned", workerId: "w1" });
      // One transaction: a commit that fails (an attempt without its task instance) writes no mailbox row either.
      const orphan = {
        attempts: [attemptRow(run.id, "no-such-task", 1, { state: "queued" })],
        remoteAttempts: [attempt("a-x", { runPk: run.id, workerId: "w1" })],
      };
      await expect(sut.store.commit(orphan, { schedulerId: "s1" })).rejects.toThrow();
      expect(await w.getRemoteAttempt("a-x")).toBeUndefined();
      // Fenced: neither the record nor the row, so no worker ever gets that attempt.
      expect(await sut.store.fenceScheduler("s1", 0, "s2", T0 + 1)).toBe(true);
      await expect(
        sut.store.commit({ ...queued("u"), remoteAttempts: [attempt("a-u", { runPk: run.id, workerId: "w1" })] }, { schedulerId: "s1" }),
      ).rejects.toBeInstanceOf(FencedError);
      expect(await w.getRemoteAttempt("a-u")).toBeUndefined();
      expect(await sut.store.listAttempts(run.id, "u")).toEqual([]);
    });

    it("finishAndTakeRemoteAttempts deletes and returns the accepted outcomes of the named schedulers, finishes the others, and refuses other workers' reports", async () => {
      const w = sut.store.workers;
      await w.enqueueRemoteAttempts([attempt("a1"), attempt("a2"), attempt("a3"), attempt("b1", { schedulerId: "s2" }), attempt("o1", { schedulerId: "s3" })]);
      await w.claimRemoteAttempts("w1", ["default"], 10, T0 + 1);
      await w.markRemoteStarted([{ attemptId: "a1", workerId: "w1", startedAt: T0 + 2, pid: 11 }]);
      await w.releaseRemoteAttempts({ schedulerIds: ["s3"] }, "scheduler gone"); // o1: an orphan ("")
      const failed: AttemptOutcome = { kind: "failed", error: "boom", retryable: true };
      const r = await w.finishAndTakeRemoteAttempts(
        [end("a1", "w1"), { ...end("a2", "w1", failed), pid: null }, end("a3", "w2"), end("b1", "w1"), end("o1", "w1"), end("nope", "w1")],
        ["s1", ""],
      );
      expect(r.accepted.sort()).toEqual(["a1", "a2", "b1", "o1"]);
      expect(r.taken.sort((x, y) => x.attemptId.localeCompare(y.attemptId))).toEqual([
        { ...end("a1", "w1"), schedulerId: "s1" },
        { ...end("a2", "w1", failed), pid: null, schedulerId: "s1" },
      ]);
      expect(await w.getRemoteAttempt("a1")).toBeUndefined();
      expect(await w.getRemoteAttempt("a2")).toBeUndefined();
      expect(await w.getRemoteAttempt("a3")).toMatchObject({ state: "assigned", workerId: "w1" }); // w2's report refused
      expect(await w.getRemoteAttempt("b1")).toMatchObject({ state: "finished", outcome: success });
      expect(await w.getRemoteAttempt("o1")).toMatchObject({ state: "finished", schedulerId: "" }); // orphans are never taken
      // Once taken, a repeated report is refused; s2 still takes its own from the mailbox.
      expect(await w.finishAndTakeRemoteAttempts([end("a1", "w1")], ["s1"])).toEqual({ accepted: [], taken: [] });
      expect(ids((await w.takeRemoteUpdates("s2", [])).finished)).toEqual(["b1"]);
      expect(ids((await w.takeRemoteUpdates("s1", [])).finished)).toEqual([]);
      // With no scheduler named, it is finishRemoteAttempts.
      expect(await w.finishAndTakeRemoteAttempts([end("a3", "w1")], [])).toEqual({ accepted: ["a3"], taken: [] });
      expect(await w.getRemoteAttempt("a3")).toMatchObject({ state: "finished" });
    });

    it("takeRemoteUpdates returns a scheduler's finished rows once (deleting them) and which awaited ids started", async () => {
      const w = sut.store.workers;
      await w.enqueueRemoteAttempts([attempt("a1"), attempt("a2"), attempt("a3"), attempt("b1", { schedulerId: "s2" })]);
      await w.claimRemoteAttempts("w1", ["default"], 10, T0 + 1);
      await w.markRemoteStarted([
        { attemptId: "a1", workerId: "w1", startedAt: T0 + 2, pid: 11 },
        { attemptId: "b1", workerId: "w1", startedAt: T0 + 2, pid: 12 },
      ]);
      await w.finishRemoteAttempts([end("a2", "w1"), end("b1", "w1")]);
      const updates = await w.takeRemoteUpdates("s1", ["a1", "a2", "a3", "b1"]);
      expect(updates.started.sort((x, y) => x.attemptId.localeCompare(y.attemptId))).toEqual([
        { attemptId: "a1", startedAt: T0 + 2, pid: 11, workerId: "w1" },
        { attemptId: "a2", startedAt: T0 + 10, pid: 99, workerId: "w1" },
      ]);
      expect(updates.finished).toHaveLength(1);
      expect(updates.finished[0]).toMatchObject({ attemptId: "a2", state: "finished", outcome: success, request: request("a2") });
      expect((await w.takeRemoteUpdates("s1", [])).finished).toEqual([]);
      expect(await w.getRemoteAttempt("a2")).toBeUndefined();
      expect(ids((await w.takeRemoteUpdates("s2", [])).finished)).toEqual(["b1"]);
    });

    it("cancelRemoteAttempt finishes a queued attempt with the outcome, marks a held one for its worker, and says whether a row was there", async () => {
      const w = sut.store.workers;
      await w.enqueueRemoteAttempts([attempt("q"), attempt("held", { createdAt: T0 - 1 })]);
      await w.claimRemoteAttempts("w1", ["default"], 1, T0 + 1);
      const cleared: AttemptOutcome = { kind: "crashed", error: "cleared by alice" };
      expect(await w.cancelRemoteAttempt("q", "cleared", cleared, T0 + 5)).toBe(true);
      expect(await w.getRemoteAttempt("q")).toMatchObject({ state: "finished", outcome: cleared, endedAt: T0 + 5, cancelReason: "cleared", workerId: null });
      expect(await w.claimRemoteAttempts("w2", ["default"], 5, T0 + 6)).toEqual([]);
      expect(await w.cancelRemoteAttempt("held", "timed out", { kind: "timeout", error: "t" }, T0 + 6)).toBe(true);
      expect(await w.getRemoteAttempt("held")).toMatchObject({ state: "assigned", cancelReason: "timed out", outcome: null });
      expect(await w.listRemoteCancels(["w1", "w2"])).toEqual([{ attemptId: "held", workerId: "w1", cancelReason: "timed out" }]);
      expect(await w.listRemoteCancels([])).toEqual([]);
      expect(await w.cancelRemoteAttempt("missing", "x", cleared, T0 + 7)).toBe(false);
      // Handed back before it started: not queued again, finished with the outcome asked for.
      expect(await w.requeueRemoteAttempts(["held"], "w1")).toEqual(["held"]);
      expect(await w.getRemoteAttempt("held")).toMatchObject({ state: "finished", outcome: { kind: "timeout", error: "t" } });
      expect(ids((await w.takeRemoteUpdates("s1", [])).finished).sort()).toEqual(["held", "q"]);
    });

    it("requeueRemoteAttempts gives back only what is assigned (not started) to that worker", async () => {
      const w = sut.store.workers;
      await w.enqueueRemoteAttempts([attempt("a1"), attempt("a2", { createdAt: T0 + 1 }), attempt("a3", { createdAt: T0 + 2 })]);
      await w.claimRemoteAttempts("w1", ["default"], 3, T0 + 5);
      await w.markRemoteStarted([{ attemptId: "a3", workerId: "w1", startedAt: T0 + 6, pid: 1 }]);
      expect(await w.requeueRemoteAttempts(["a1", "a2", "a3"], "w2")).toEqual([]);
      expect((await w.requeueRemoteAttempts(["a1", "a2", "a3"], "w1")).sort()).toEqual(["a1", "a2"]);
      expect(await w.getRemoteAttempt("a1")).toMatchObject({ state: "queued", workerId: null, assignedAt: null });
      expect(await w.finishRemoteAttempts([end("a1", "w1")])).toEqual([]); // no longer its own
      expect(ids(await w.claimRemoteAttempts("w2", ["default"], 5, T0 + 7))).toEqual(["a1", "a2"]);
      expect(ids(await w.listWorkerAttempts("w1"))).toEqual(["a3"]);
    });

    it("declareLostWorkers: assigned attempts finish infra_failed (a new try, never the same one twice), running ones crashed; the lost worker is fenced", async () => {
      const w = sut.store.workers;
      await w.upsertWorker(worker("w1", { lastSeenAt: T0 }));
      await w.upsertWorker(worker("w2", { lastSeenAt: T0 + 9_000 }));
      await w.upsertWorker(worker("w3", { lastSeenAt: T0, state: "stopped" }));
      await w.enqueueRemoteAttempts([attempt("a1"), attempt("a2", { createdAt: T0 + 1 }), attempt("b1", { createdAt: T0 + 2 })]);
      await w.claimRemoteAttempts("w1", ["default"], 2, T0 + 1);
      await w.claimRemoteAttempts("w2", ["default"], 1, T0 + 1);
      await w.markRemoteStarted([{ attemptId: "a2", workerId: "w1", startedAt: T0 + 2, pid: 5 }]);

      const lost = await w.declareLostWorkers(T0 + 5_000, T0 + 10_000, (id) => `worker ${id} lost: not heard from for 10 s`);
      expect(lost).toEqual(["w1"]);
      expect(await w.declareLostWorkers(T0 + 5_000, T0 + 10_001, () => "again")).toEqual([]);
      expect(await w.getWorker("w1")).toMatchObject({ state: "lost", stateChangedAt: T0 + 10_000, reason: "worker w1 lost: not heard from for 10 s" });
      expect(await w.getWorker("w3")).toMatchObject({ state: "stopped" });
      // It may have started a1 without its `started` arriving: a1 must not run again as the same try.
      expect(await w.getRemoteAttempt("a1")).toMatchObject({
        state: "finished",
        workerId: "w1",
        endedAt: T0 + 10_000,
        outcome: { kind: "infra_failed", error: "worker w1 lost: not heard from for 10 s before it reported starting the attempt" },
      });
      expect(await w.getRemoteAttempt("a2")).toMatchObject({
        state: "finished",
        workerId: "w1",
        startedAt: T0 + 2,
        endedAt: T0 + 10_000,
        outcome: { kind: "crashed", error: "worker w1 lost: not heard from for 10 s" },
      });
      expect(await w.getRemoteAttempt("b1")).toMatchObject({ state: "assigned", workerId: "w2" });
      expect(await w.touchWorker("w1", T0 + 10_002, 2)).toBe(false);
      expect(await w.finishRemoteAttempts([end("a2", "w1"), end("a1", "w1")])).toEqual([]);
      expect(await w.markRemoteStarted([{ attemptId: "a1", workerId: "w1", startedAt: T0, pid: 1 }])).toEqual([]);
      expect(ids(await w.claimRemoteAttempts("w2", ["default"], 5, T0 + 10_003))).toEqual([]);
    });

    it("releaseRemoteAttempts deletes queued rows and orphans held ones of released schedulers and runs; finished orphans are deleted", async () => {
      const w = sut.store.workers;
      await w.enqueueRemoteAttempts([
        attempt("s1-queued"),
        attempt("s1-held", { createdAt: T0 - 2 }),
        attempt("s1-running", { createdAt: T0 - 1 }),
        attempt("s2-run7-held", { schedulerId: "s2", runPk: 7, createdAt: T0 - 3 }),
        attempt("s2-run7-queued", { schedulerId: "s2", runPk: 7, createdAt: T0 + 5 }),
        attempt("s2-run8-queued", { schedulerId: "s2", runPk: 8, createdAt: T0 + 6 }),
      ]);
      expect(ids(await w.claimRemoteAttempts("w1", ["default"], 3, T0 + 1))).toEqual(["s2-run7-held", "s1-held", "s1-running"]);
      await w.markRemoteStarted([{ attemptId: "s1-running", workerId: "w1", startedAt: T0 + 2, pid: 3 }]);

      expect(await w.releaseRemoteAttempts({ schedulerIds: ["s1"], runPks: [7] }, "scheduler s1 fenced")).toEqual({ deleted: 2, orphaned: 3 });
      expect(await w.getRemoteAttempt("s1-queued")).toBeUndefined();
      expect(await w.getRemoteAttempt("s2-run7-queued")).toBeUndefined();
      expect(await w.getRemoteAttempt("s2-run8-queued")).toMatchObject({ state: "queued", schedulerId: "s2" });
      expect(await w.getRemoteAttempt("s1-running")).toMatchObject({ state: "running", schedulerId: "", cancelReason: "scheduler s1 fenced" });
      expect((await w.listRemoteCancels(["w1"])).map((c) => c.attemptId).sort()).toEqual(["s1-held", "s1-running", "s2-run7-held"]);
      expect(await w.releaseRemoteAttempts({}, "nothing")).toEqual({ deleted: 0, orphaned: 0 });

      // The worker stops them: their outcomes are never handed to any scheduler.
      expect((await w.finishRemoteAttempts([end("s1-running", "w1", { kind: "crashed", error: "killed" }), end("s2-run7-held", "w1")])).sort()).toEqual([
        "s1-running",
        "s2-run7-held",
      ]);
      expect(await w.requeueRemoteAttempts(["s1-held"], "w1")).toEqual(["s1-held"]); // handed back: finished, never queued again
      expect((await w.takeRemoteUpdates("s1", [])).finished).toEqual([]);
      expect((await w.takeRemoteUpdates("", [])).finished).toEqual([]);
      expect(await w.deleteFinishedOrphans()).toBe(3);
      expect(await w.deleteFinishedOrphans()).toBe(0);
      expect(await w.remoteQueueDepths()).toEqual([{ queue: "default", queued: 1, running: 0 }]);
    });

    it("many attempts in one call: enqueue, claim, start, finish and take a batch of 2,000", async () => {
      const w = sut.store.workers;
      const n = 2_000;
      await w.enqueueRemoteAttempts(Array.from({ length: n }, (_, i) => attempt(`m${String(i).padStart(4, "0")}`, { createdAt: T0 + i })));
      const claimed = await w.claimRemoteAttempts("w1", ["default"], n, T0 + n);
      expect(claimed).toHaveLength(n);
      expect(await w.markRemoteStarted(claimed.map((a) => ({ attemptId: a.attemptId, workerId: "w1", startedAt: T0 + n, pid: 1 })))).toHaveLength(n);
      expect(await w.finishRemoteAttempts(claimed.map((a) => end(a.attemptId, "w1")))).toHaveLength(n);
      const taken = await w.takeRemoteUpdates("s1", ids(claimed));
      expect(taken.finished).toHaveLength(n);
      expect(taken.started).toHaveLength(n);
    });
  });
}
