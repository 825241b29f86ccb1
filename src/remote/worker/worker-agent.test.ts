import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AttemptRequest } from "../../core/ports/executor.js";
import { Secret } from "../../core/secrets/secret.js";
import { makeRequest, tempDir } from "../../executor/testing/dag-fixtures.js";
import { bundleAsServedFrom, FakeWorkerServer, type FakeWorkerServerOptions } from "../../../test/support/fake-worker-server.js";
import type { WireRemoteAttempt } from "../protocol.js";
import { WorkerRefusedError } from "./worker-channel.js";
import { WorkerAgent } from "./worker-agent.js";
import { localSdkRoot } from "./worker-options.js";

const DAG = `import { dag } from "baton";

export default dag({ id: "remote" }, (d) => {
  d.task("hello", async (ctx) => {
    ctx.log.info("hello from the worker");
    console.log("printed by the task");
    return { ok: 42 };
  });
  d.task("conn", async (ctx) => {
    const c = await ctx.connection("warehouse");
    ctx.log.info("password is " + c.password);
    return c.host;
  });
  d.task("nap", async (ctx) => {
    ctx.log.info("napping");
    await new Promise((resolve) => setTimeout(resolve, ctx.params.ms));
    ctx.log.info("nap done");
    return "rested";
  });
  d.task("sleep", async (ctx) => {
    ctx.log.info("sleeping");
    await new Promise((resolve) => {
      const t = setTimeout(resolve, 120_000);
      ctx.signal.addEventListener("abort", () => { clearTimeout(t); resolve(undefined); });
    });
  });
});
`;

/** The server's SDK root in these tests: not this checkout's, so the worker must rewrite it. */
const SERVER_SDK_ROOT = "file:///srv/baton-elsewhere/dist/src";
const TOKEN = "batonw_0123456789ab_secretsecret";

let code: Buffer;
let sha: string;

beforeAll(async () => {
  ({ code, sha } = await bundleAsServedFrom(DAG, localSdkRoot(), SERVER_SDK_ROOT));
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp(serverOptions: Partial<FakeWorkerServerOptions> = {}, concurrency = 2) {
  const server = await FakeWorkerServer.start({ token: TOKEN, sdkRoot: SERVER_SDK_ROOT, bundles: new Map([[sha, code]]), ...serverOptions });
  cleanups.push(() => server.close());
  const cacheDir = tempDir("baton-worker-cache-");
  const agent = new WorkerAgent({ server: server.url, token: new Secret(TOKEN), concurrency, cacheDir, version: "test", killGraceMs: 1_000, deliverMs: 2_000 });
  cleanups.push(() => agent.drain(0).catch(() => {}));
  await agent.start();
  return { server, agent, cacheDir };
}

function request(taskId: string, bundleSha = sha, params: Record<string, unknown> = {}): AttemptRequest {
  // Paths as the scheduler's machine has them: the worker must not use them.
  return makeRequest({ bundlePath: `/srv/baton/.baton/bundles/${bundleSha}.mjs`, logDir: "/srv/baton/.baton/logs", dagId: "remote", taskId, params });
}

describe("WorkerAgent against a real WebSocket server (127.0.0.1)", () => {
  it("runs a real bundle: started, finished with its value, log bytes streamed; one download for attempts asking at once", async () => {
    const { server, agent, cacheDir } = await setUp({}, 3);
    const hello = await server.waitFor("hello");
    expect(hello).toMatchObject({ workerId: agent.workerId, queues: ["default"], concurrency: 3, holding: [], finished: [], version: "test" });

    const attempts = [request("hello"), request("hello"), request("hello")];
    server.send({ t: "run", attempts });
    for (const a of attempts) {
      const finished = await server.waitFor("finished", (m) => m.id === a.attemptId);
      expect(finished.outcome).toEqual({ kind: "success", output: JSON.stringify({ ok: 42 }) });
      expect(server.messages("started").some((m) => m.id === a.attemptId && typeof m.pid === "number")).toBe(true);
      expect(server.logOf(a.attemptId)).toMatch(/INFO hello from the worker[\s\S]*printed by the task/);
    }
    expect(server.bundleRequests).toEqual([sha]);

    // Cached under both hashes, with the SDK imports rewritten to this process's own.
    const cached = readdirSync(join(cacheDir, "bundles"));
    expect(cached).toEqual([expect.stringMatching(new RegExp(`^[0-9a-f]{16}-${sha}\\.mjs$`))]);
    const text = readFileSync(join(cacheDir, "bundles", cached[0]!), "utf8");
    expect(text).not.toContain(SERVER_SDK_ROOT);
    expect(text).toContain(`${localSdkRoot()}sdk/index.js`);

    // Spools are deleted once the server acknowledged the results (it acks at once).
    await until(() => readdirSync(join(cacheDir, "logs")).length === 0, "spools deleted after ack");
    expect(existsSync("/srv/baton/.baton/logs")).toBe(false);

    // A later attempt of the same bundle uses the cache.
    const again = request("hello");
    server.send({ t: "run", attempts: [again] });
    await server.waitFor("finished", (m) => m.id === again.attemptId);
    expect(server.bundleRequests).toEqual([sha]);
  });

  it("answers ctx.connection() over the channel, naming the attempt; the password is masked in the streamed log", async () => {
    const asked: unknown[] = [];
    const { server } = await setUp({
      secret: (q) => {
        asked.push({ id: q.id, kind: q.kind, name: q.name });
        return {
          connection: {
            id: "warehouse",
            type: "postgres",
            host: "db.internal",
            port: 5432,
            login: "etl",
            password: "hunter2-very-secret",
            schema: "dw",
            extra: {},
          },
        };
      },
    });
    await server.waitFor("hello");
    const a = request("conn");
    server.send({ t: "run", attempts: [a] });
    const finished = await server.waitFor("finished", (m) => m.id === a.attemptId);
    expect(finished.outcome).toEqual({ kind: "success", output: JSON.stringify("db.internal") });
    expect(asked).toEqual([{ id: a.attemptId, kind: "connection", name: "warehouse" }]);
    expect(server.logOf(a.attemptId)).toContain("password is ***");
    expect(server.logOf(a.attemptId)).not.toContain("hunter2");
  });

  it("a connection the server does not have fails the task with the server's message", async () => {
    const { server } = await setUp();
    await server.waitFor("hello");
    const a = request("conn");
    server.send({ t: "run", attempts: [a] });
    const finished = await server.waitFor("finished", (m) => m.id === a.attemptId);
    expect(finished.outcome).toMatchObject({ kind: "failed" });
    expect(JSON.stringify(finished.outcome)).toContain('no connection \\"warehouse\\"');
  });

  it("cancel stops a long task; it is reported failed as cancelled", async () => {
    const { server } = await setUp();
    await server.waitFor("hello");
    const a = request("sleep");
    server.send({ t: "run", attempts: [a] });
    await server.waitFor("started", (m) => m.id === a.attemptId);
    server.send({ t: "cancel", id: a.attemptId, reason: "run cleared by admin" });
    const finished = await server.waitFor("finished", (m) => m.id === a.attemptId);
    expect(finished.outcome).toEqual({ kind: "failed", error: "cancelled: run cleared by admin", retryable: false });
    expect(server.logOf(a.attemptId)).toContain("attempt failed (not retryable): cancelled: run cleared by admin");
  });

  it("a dropped connection: reconnects, hello carries what it holds and the unacknowledged result; kept attempts go on", async () => {
    const { server, cacheDir } = await setUp({ autoAck: false });
    await server.waitFor("hello");
    const quick = request("hello");
    const long = request("sleep");
    server.send({ t: "run", attempts: [quick, long] });
    await server.waitFor("finished", (m) => m.id === quick.attemptId);
    await server.waitFor("started", (m) => m.id === long.attemptId);
    server.socket.terminate();

    const hello = await server.waitFor("hello", (_m, r) => r.connection === 1);
    expect(hello.holding).toEqual([long.attemptId]);
    expect(hello.finished).toEqual([expect.objectContaining({ id: quick.attemptId, outcome: { kind: "success", output: JSON.stringify({ ok: 42 }) } })]);
    expect(server.sockets).toHaveLength(2);

    // Not acknowledged yet: its spool is still there; acknowledged: gone.
    const spools = () => readdirSync(join(cacheDir, "logs")).filter((f) => f.endsWith(encodeURIComponent(quick.attemptId) + ".log"));
    expect(spools()).toHaveLength(1);
    server.send({ t: "ack", ids: [quick.attemptId] });
    await until(() => spools().length === 0, "the acknowledged result's spool deleted");

    // The kept attempt is still this worker's: a cancel on the new connection stops it.
    server.send({ t: "cancel", id: long.attemptId, reason: "stop" });
    const finished = await server.waitFor("finished", (m, r) => m.id === long.attemptId && r.connection === 1);
    expect(finished.outcome).toMatchObject({ kind: "failed", error: "cancelled: stop" });
  });

  it("an attempt that ends while disconnected: announced as held in hello, then the rest of its log, then its result", async () => {
    const { server, agent } = await setUp();
    await server.waitFor("hello");
    const nap = request("nap", sha, { ms: 800 });
    server.send({ t: "run", attempts: [nap] });
    await server.waitFor("started", (m) => m.id === nap.attemptId);
    server.unavailable = true;
    server.socket.terminate();
    await until(() => agent.holding === 0, "the attempt finished while disconnected");
    server.unavailable = false;
    const hello = await server.waitFor("hello", (_m, r) => r.connection === 1);
    expect(hello.holding).toEqual([nap.attemptId]);
    expect(hello.finished).toEqual([]);
    const finished = await server.waitFor("finished", (m) => m.id === nap.attemptId);
    expect(finished.outcome).toEqual({ kind: "success", output: JSON.stringify("rested") });
    const after = server.received.filter((r) => r.connection === 1).map((r) => r.message);
    const lastLog = after.findLastIndex((m) => m.t === "log" && m.id === nap.attemptId);
    expect(lastLog).toBeGreaterThan(-1);
    expect(lastLog).toBeLessThan(after.findIndex((m) => m.t === "finished"));
    expect(server.logOf(nap.attemptId)).toMatch(/napping[\s\S]*nap done/);
    expect(server.messages("finished")).toHaveLength(1);
  });

  it("after a reconnection, attempts not in keep are stopped and forgotten (no result sent)", async () => {
    const { server } = await setUp({ keep: () => [] });
    await server.waitFor("hello");
    const long = request("sleep");
    server.send({ t: "run", attempts: [long] });
    await server.waitFor("started", (m) => m.id === long.attemptId);
    server.socket.terminate();
    const hello = await server.waitFor("hello", (_m, r) => r.connection === 1);
    expect(hello.holding).toEqual([long.attemptId]);
    await server.waitFor("heartbeat", (m, r) => r.connection === 1 && m.holding === 0);
    // Long enough for a killed child's report to have come back, had it not been discarded.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(server.messages("finished").filter((m) => m.id === long.attemptId)).toEqual([]);
  });

  it("a bundle whose bytes do not match its sha256 is refused and the attempt fails, saying so", async () => {
    const wrong = "e".repeat(64);
    const { server, cacheDir } = await setUp({ bundles: new Map([[wrong, Buffer.from("export const evil = 1;\n")]]) });
    await server.waitFor("hello");
    const a = request("hello", wrong);
    server.send({ t: "run", attempts: [a] });
    const finished = await server.waitFor("finished", (m) => m.id === a.attemptId);
    expect(finished.outcome).toMatchObject({ kind: "failed", retryable: true });
    expect(JSON.stringify(finished.outcome)).toMatch(/is not the one asked for: its sha256 is [0-9a-f]{64}, not e{64}; it was refused/);
    expect(server.logOf(a.attemptId)).toContain("ERROR attempt failed: the bundle from");
    expect(existsSync(join(cacheDir, "bundles")) ? readdirSync(join(cacheDir, "bundles")) : []).toEqual([]);
    expect(server.messages("started")).toEqual([]);
  });

  it("a bundle the server does not have fails the attempt, not retryable", async () => {
    const { server } = await setUp({ bundles: new Map() });
    await server.waitFor("hello");
    const a = request("hello");
    server.send({ t: "run", attempts: [a] });
    const finished = await server.waitFor("finished", (m) => m.id === a.attemptId);
    expect(finished.outcome).toMatchObject({ kind: "failed", retryable: false });
    expect(JSON.stringify(finished.outcome)).toContain("answered HTTP 404");
  });

  it("`refused` stops the worker with the server's message (no reconnection loop)", async () => {
    const { server, agent } = await setUp({ refuse: "worker token revoked" });
    await expect(agent.done).rejects.toThrow(new WorkerRefusedError("the API server refused this worker: worker token revoked"));
    await new Promise((r) => setTimeout(r, 700));
    expect(server.sockets).toHaveLength(1);
  });

  it("a token refused at the upgrade (HTTP 401) stops the worker with the server's message", async () => {
    const server = await FakeWorkerServer.start({ token: "batonw_other_token", sdkRoot: SERVER_SDK_ROOT });
    cleanups.push(() => server.close());
    const agent = new WorkerAgent({ server: server.url, token: new Secret(TOKEN), concurrency: 1, cacheDir: tempDir("baton-worker-cache-") });
    await agent.start();
    await expect(agent.done).rejects.toThrow(/refused this worker: the server answered HTTP 401: invalid or revoked worker token/);
  });

  it("drain: says draining, hands back what has not started and what comes later, lets the running attempt finish, then stops", async () => {
    const { server, agent } = await setUp({}, 1);
    await server.waitFor("hello");
    const slow = request("sleep");
    const waiting = request("hello");
    server.send({ t: "run", attempts: [slow] });
    await server.waitFor("started", (m) => m.id === slow.attemptId);
    // Concurrency 1: this one waits in the executor behind the running one.
    server.send({ t: "run", attempts: [waiting] });
    await until(() => agent.holding === 2, "both attempts held");
    const drained = agent.drain(10_000);
    await server.waitFor("draining");
    expect((await server.waitFor("handback")).ids).toEqual([waiting.attemptId]);
    const late = request("hello");
    server.send({ t: "run", attempts: [late] });
    expect((await server.waitFor("handback", (m) => m.ids.includes(late.attemptId))).ids).toEqual([late.attemptId]);
    server.send({ t: "cancel", id: slow.attemptId, reason: "test over" });
    await drained;
    expect(server.messages("finished").map((m) => m.id)).toEqual([slow.attemptId]);
    expect(server.messages("started").map((m) => m.id)).toEqual([slow.attemptId]);
  });
});

describe("WorkerAgent: frames", () => {
  it("says every start before anything else of its attempt: a short attempt's start goes with its end, a long one's while it runs", async () => {
    const { server } = await setUp({}, 2);
    await server.waitFor("hello");
    const short = request("hello");
    const long = request("nap", sha, { ms: 1_500 });
    server.send({ t: "run", attempts: [short, long] });
    await server.waitFor("finished", (m) => m.id === short.attemptId);
    const order = (id: string) => server.received.filter((r) => "id" in r.message && r.message.id === id).map((r) => r.message.t);
    expect(order(short.attemptId)[0]).toBe("started");
    expect(order(short.attemptId).filter((t) => t === "started" || t === "finished")).toEqual(["started", "finished"]);
    // Not held until the end: the long attempt's start comes while it naps.
    await server.waitFor("started", (m) => m.id === long.attemptId);
    expect(server.messages("finished").map((m) => m.id)).toEqual([short.attemptId]);
    await server.waitFor("finished", (m) => m.id === long.attemptId);
    expect(order(long.attemptId).filter((t) => t === "started" || t === "finished")).toEqual(["started", "finished"]);
  });
});

describe('WorkerAgent: run parts (docs/workers.md, "Run parts")', () => {
  /** The request as the server sends it with run parts: its own fields and the part it names. */
  function byPart(r: AttemptRequest, part: number): WireRemoteAttempt {
    const { bundlePath: _b, context: _c, maxOutputBytes: _m, ...own } = r;
    return { ...own, part };
  }

  it("says runParts in hello; runs attempts naming a part sent once; forgets the parts with the connection, so an attempt naming one sent on an old connection ends infra_failed (its try given back)", async () => {
    const { server } = await setUp({ autoAck: false });
    expect((await server.waitFor("hello")).runParts).toBe(true);
    const [a, b] = [request("hello"), request("hello")];
    const part = { ref: 7, bundlePath: a.bundlePath, context: a.context, maxOutputBytes: a.maxOutputBytes };
    server.send({ t: "run", parts: [part], attempts: [byPart(a, 7)] });
    server.send({ t: "run", attempts: [byPart(b, 7)] });
    for (const r of [a, b]) {
      const done = await server.waitFor("finished", (m) => m.id === r.attemptId);
      expect(done.outcome).toEqual({ kind: "success", output: JSON.stringify({ ok: 42 }) });
    }
    // Named after `forget`: unknown.
    const c = request("hello");
    server.send({ t: "run", attempts: [], forget: [7] });
    server.send({ t: "run", attempts: [byPart(c, 7)] });
    expect((await server.waitFor("finished", (m) => m.id === c.attemptId)).outcome).toMatchObject({ kind: "infra_failed" });
    // A new connection starts with no parts: part 8 sent on the first one is unknown on the second.
    server.send({ t: "run", parts: [{ ...part, ref: 8 }], attempts: [] });
    server.socket.terminate();
    await server.waitFor("hello", (_m, r) => r.connection === 1);
    const d = request("hello");
    server.send({ t: "run", attempts: [byPart(d, 8)] });
    const lost = await server.waitFor("finished", (m, r) => m.id === d.attemptId && r.connection === 1);
    expect(lost.outcome).toMatchObject({ kind: "infra_failed", error: expect.stringContaining("names run part 8") });
    // Sent again on this connection, it runs.
    const e = request("hello");
    server.send({ t: "run", parts: [{ ...part, ref: 8 }], attempts: [byPart(e, 8)] });
    expect((await server.waitFor("finished", (m, r) => m.id === e.attemptId && r.connection === 1)).outcome.kind).toBe("success");
  });
});

describe("WorkerAgent: prefetch and recall", () => {
  it("says its prefetch in hello; on recall hands back at once what waits here, then what its process holds and gives up, never what started; answers an empty handback when nothing is left", async () => {
    const { server, agent } = await setUp({}, 1);
    expect((await server.waitFor("hello")).prefetch).toBe(4); // 4 × concurrency
    const slow = request("sleep");
    server.send({ t: "run", attempts: [slow] });
    await server.waitFor("started", (m) => m.id === slow.attemptId);
    // One process: it holds the next three too (PROCESS_PREFETCH), the other two wait in the agent.
    const [a, b, c, d, e] = [request("hello"), request("hello"), request("hello"), request("hello"), request("hello")];
    server.send({ t: "run", attempts: [a, b, c, d, e] });
    await until(() => agent.holding === 6, "six attempts held");
    server.send({ t: "recall", ids: [e.attemptId, c.attemptId, a.attemptId, slow.attemptId] });
    expect((await server.waitFor("handback")).ids).toEqual([e.attemptId]);
    await until(() => server.messages("handback").length === 2, "the process's attempts given back");
    expect(server.messages("handback")[1]?.ids).toEqual([c.attemptId, a.attemptId]);
    expect(agent.holding).toBe(3);
    server.send({ t: "recall", ids: [slow.attemptId] });
    await until(() => server.messages("handback").length === 3, "a third handback");
    expect(server.messages("handback")[2]?.ids).toEqual([]);
    server.send({ t: "cancel", id: slow.attemptId, reason: "test over" });
    await server.waitFor("finished", (m) => m.id === d.attemptId);
    expect(server.messages("started").map((m) => m.id)).toEqual([slow.attemptId, b.attemptId, d.attemptId]);
    expect(server.messages("finished").map((m) => m.id)).toEqual([slow.attemptId, b.attemptId, d.attemptId]);
  });
});

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
