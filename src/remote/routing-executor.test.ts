import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HEADER, Harness } from "../../test/support/harness.js";
import type { DagVersionRecord } from "../core/model/records.js";
import type { AttemptReport, AttemptRequest } from "../core/ports/executor.js";
import { InProcessRemoteSignal } from "../core/ports/remote-signal.js";
import { systemClock } from "../core/ports/clock.js";
import { InProcessExecutor } from "../executor/in-process-executor.js";
import { LocalProcessExecutor } from "../executor/local-process-executor.js";
import type { FullStore } from "../store/full-store.js";
import { RemoteExecutor } from "./remote-executor.js";
import { RoutingExecutor } from "./routing-executor.js";

// Routing by queue over the real parts: a local pool (in-process, or the process pool kept for
// callbacks only with `--workers 0`) and the remote-attempts mailbox in a real SQLite file.

let h: Harness;
let version: DagVersionRecord;
beforeAll(async () => {
  h = new Harness({
    "r.ts": `${HEADER}export default dag({ id: "r", onFailure: [() => { console.log("callback ran"); }] }, (d) => {\n  d.task("local", () => "ran here");\n  d.task("gpu", { queue: "gpu" }, () => "remote only");\n});\n`,
  });
  expect((await h.load()).errors).toEqual([]);
  version = (await h.store.getDagVersion((await h.store.getDag("r"))!.latestVersion))!;
}, 60_000);
afterAll(() => h?.dispose());

let routing: RoutingExecutor | undefined;
afterEach(async () => {
  await routing?.shutdown(0);
  routing = undefined;
});

const workers = () => (h.store as FullStore).workers;

function request(taskId: string, runPk: number): AttemptRequest {
  return {
    attemptId: `${runPk}/${taskId}/-1/1`,
    runPk,
    taskId,
    mapIndex: -1,
    tryNumber: 1,
    maxTries: 1,
    bundlePath: version.bundlePath,
    task: version.spec.tasks.find((t) => t.taskId === taskId)!,
    context: {
      dagId: "r",
      runId: `run${runPk}`,
      runType: "manual",
      logicalDate: null,
      dataIntervalStart: null,
      dataIntervalEnd: null,
      timezone: "UTC",
      params: {},
      conf: {},
    },
    inputs: {},
    logPath: join(h.logsDir, `${runPk}-${taskId}.log`),
    maxOutputBytes: 1024,
  };
}

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never happened: ${what}`);
}

describe("RoutingExecutor", () => {
  it("sends default to the local pool and other queues to remote workers, with slots per queue", async () => {
    const finished: AttemptReport[] = [];
    const remote = new RemoteExecutor({ mailbox: workers(), signal: new InProcessRemoteSignal(), schedulerId: "s1", clock: systemClock, window: 7 });
    routing = new RoutingExecutor({ local: new InProcessExecutor({ concurrency: 3, echoOutput: false }), remote });
    expect([routing.capacityFor("default"), routing.capacityFor("gpu"), routing.capacityFor("etl"), routing.capacity]).toEqual([3, 7, 7, 10]);
    await routing.start({ started() {}, finished: (r) => void finished.push(r) });
    routing.submit(request("local", 1));
    routing.submit(request("gpu", 1));
    const done = await until("the default task ran locally", () => finished.find((r) => r.attemptId === "1/local/-1/1"));
    expect(done.outcome).toMatchObject({ kind: "success", output: '"ran here"' });
    expect(await until("the gpu attempt in the mailbox", () => workers().getRemoteAttempt("1/gpu/-1/1"))).toMatchObject({
      queue: "gpu",
      state: "queued",
      schedulerId: "s1",
    });
    expect(await workers().getRemoteAttempt("1/local/-1/1")).toBeUndefined();
    // A cancel follows the attempt to where it went: the queued remote one ends at once.
    routing.cancel("1/gpu/-1/1", "cleared");
    expect((await until("the gpu attempt cancelled", () => finished.find((r) => r.attemptId === "1/gpu/-1/1"))).outcome).toEqual({
      kind: "failed",
      error: "cancelled: cleared",
      retryable: false,
    });
  });

  it("--workers 0: a pool without task processes sends default to remote workers and still runs callbacks", async () => {
    const local = new LocalProcessExecutor({ processes: 0, callbackProcesses: 1 });
    expect(local.capacity).toBe(0);
    routing = new RoutingExecutor({
      local,
      remote: new RemoteExecutor({ mailbox: workers(), signal: new InProcessRemoteSignal(), schedulerId: "s2", clock: systemClock }),
    });
    expect([routing.capacityFor("default"), routing.capacityFor("gpu")]).toEqual([1_000, 1_000]);
    await routing.start({ started() {}, finished() {} });
    routing.submit(request("local", 2));
    expect(await until("the default attempt in the mailbox", () => workers().getRemoteAttempt("2/local/-1/1"))).toMatchObject({
      queue: "default",
      state: "queued",
      schedulerId: "s2",
    });
    const logPath = join(h.logsDir, "callback.log");
    const outcome = await routing.runCallback!({
      callbackId: "2/run/-1/0/failure#0",
      bundlePath: version.bundlePath,
      dagId: "r",
      index: 0,
      context: {
        event: "failure",
        dagId: "r",
        runId: "run2",
        logicalDate: null,
        taskId: null,
        mapIndex: -1,
        tryNumber: 0,
        state: "failed",
        error: null,
        runUrl: "http://127.0.0.1/r",
        logUrl: null,
        params: {},
        conf: {},
      },
      timeoutMs: 20_000,
      logPath,
    });
    expect(outcome).toEqual({ status: "ok" });
  }, 30_000);
});
