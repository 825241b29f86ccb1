import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AttemptRequest } from "../../core/ports/executor.js";
import type { ServerMessage } from "../protocol.js";
import { MAX_RUN_PARTS } from "../run-parts.js";
import { RemoteExecutor } from "../remote-executor.js";
import { eventually, HubHarness, type TestWorker } from "./testing/hub-harness.js";

/**
 * Run parts (docs/workers.md, "Run parts"): to a worker that says `runParts`, what a run's
 * attempts share goes once per connection and each attempt names it; sent again on a new
 * connection, and after the server forgot it (at most MAX_RUN_PARTS per connection).
 */

type Run = Extract<ServerMessage, { t: "run" }>;

let h: HubHarness;
const executors: RemoteExecutor[] = [];

beforeEach(async () => {
  h = await HubHarness.start();
});
afterEach(async () => {
  for (const e of executors.splice(0)) await e.shutdown(0);
  await h.close();
});

async function startExecutor(): Promise<RemoteExecutor> {
  const e = new RemoteExecutor({ mailbox: h.store.workers, signal: h.signal, schedulerId: "sched-1", clock: h.clock });
  await e.start({ started: () => {}, finished: () => {} });
  executors.push(e);
  return e;
}

/** A request of run `runId` (its own context object, as each run has). */
function requestOf(id: string, runId = "r1"): AttemptRequest {
  const r = h.request(id);
  return { ...r, context: { ...r.context, runId } };
}

/** The whole request a worker rebuilds from a `run` with parts (what ReceivedRunParts does). */
function rebuilt(runs: Run[]): Map<string, AttemptRequest> {
  const parts = new Map<number, NonNullable<Run["parts"]>[number]>();
  const out = new Map<string, AttemptRequest>();
  for (const run of runs) {
    for (const p of run.parts ?? []) parts.set(p.ref, p);
    for (const a of run.attempts) {
      if (!("part" in a)) throw new Error(`attempt ${a.attemptId} sent whole to a worker that takes run parts`);
      const p = parts.get(a.part);
      if (p === undefined) throw new Error(`attempt ${a.attemptId} names part ${a.part}, never sent on this connection`);
      const { part: _p, ...own } = a;
      out.set(a.attemptId, { ...own, bundlePath: p.bundlePath, context: p.context, maxOutputBytes: p.maxOutputBytes });
    }
    for (const ref of run.forget ?? []) parts.delete(ref);
  }
  return out;
}

async function connect(workerId: string, runParts: boolean): Promise<TestWorker> {
  const { token } = await h.workerToken(null);
  return h.connect(token, { workerId, concurrency: 64, prefetch: 1_000, runParts });
}

describe("WorkerHub: run parts", () => {
  it("sends a run's part once per connection, attempts naming it (handed in this process or claimed); again after a reconnection", async () => {
    let w = await connect("w1", true);
    const executor = await startExecutor();
    const [a1, a2] = [requestOf("a1"), requestOf("a2")];
    executor.submit(a1);
    executor.submit(a2);
    await eventually(() => w.runIds().length === 2, "a1 and a2 sent");
    // Claimed from the mailbox (rows read back from the database): the same part.
    await h.enqueue(["a3"]);
    await eventually(() => w.runIds().length === 3, "a3 claimed and sent");
    const runs = w.all("run");
    expect(runs.flatMap((r) => r.parts ?? [])).toHaveLength(1);
    const got = rebuilt(runs);
    expect(got.get("a1")).toEqual(a1);
    expect(got.get("a2")).toEqual(a2);
    expect(got.get("a3")).toEqual(h.request("a3"));

    // A new connection: the part goes again with the next attempt of the run.
    await w.close();
    await eventually(() => h.hub.connectedWorkers().length === 0, "the old connection gone");
    w = await connect("w1", true);
    const a4 = requestOf("a4");
    executor.submit(a4);
    await eventually(() => w.runIds().includes("a4"), "a4 sent on the new connection");
    const again = w.all("run");
    expect(again.flatMap((r) => r.parts ?? [])).toHaveLength(1);
    expect(rebuilt(again).get("a4")).toEqual(a4);
  });

  it(`forgets the oldest part past ${MAX_RUN_PARTS} per connection (the worker is told) and sends it again when named again`, async () => {
    const w = await connect("w1", true);
    const executor = await startExecutor();
    const first = requestOf("x0", "run-0");
    executor.submit(first);
    await eventually(() => w.runIds().length === 1, "x0 sent");
    for (let i = 1; i <= MAX_RUN_PARTS; i++) executor.submit(requestOf(`x${i}`, `run-${i}`));
    await eventually(() => w.runIds().length === MAX_RUN_PARTS + 1, "one attempt of each run sent");
    const firstRef = w.all("run")[0]!.parts![0]!.ref;
    expect(w.all("run").flatMap((r) => r.forget ?? [])).toEqual([firstRef]);
    const back = requestOf("y0", "run-0");
    executor.submit(back);
    await eventually(() => w.runIds().includes("y0"), "y0 sent");
    const runs = w.all("run");
    expect(runs.at(-1)!.parts).toHaveLength(1);
    expect(runs.flatMap((r) => r.parts ?? [])).toHaveLength(MAX_RUN_PARTS + 2);
    const got = rebuilt(runs);
    expect(got.get("y0")).toEqual(back);
    expect(got.get("x0")).toEqual(first);
  });

  it("a worker that does not say runParts (an older one) gets whole requests", async () => {
    const w = await connect("w1", false);
    const executor = await startExecutor();
    const a1 = requestOf("a1");
    executor.submit(a1);
    const run = await w.next("run");
    expect(run.parts).toBeUndefined();
    expect(run.attempts).toEqual([a1]);
  });
});
