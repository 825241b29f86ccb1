import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { AttemptRequest } from "../../src/core/ports/executor.js";
import { makeRequest } from "../../src/executor/testing/dag-fixtures.js";
import { bundleAsServedFrom, FakeWorkerServer } from "../support/fake-worker-server.js";
import { baton, BIN, ROOT } from "./baton-cli.js";

/**
 * The real `baton worker` (compiled dist/: run `npx tsc -p tsconfig.build.json` first) against a
 * WebSocket server on 127.0.0.1 playing the API server's side of the protocol.
 */
const DAG = `import { dag } from "baton";

export default dag({ id: "remote" }, (d) => {
  d.task("nap", async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    return "rested";
  });
  d.task("env", () => process.env.BATON_WORKER_TOKEN ?? "not inherited");
  d.task("sleep", async () => {
    await new Promise((resolve) => setTimeout(resolve, 120_000));
  });
});
`;
const TOKEN = "batonw_0123456789ab_dontprintthistoken";
const SERVER_SDK_ROOT = "file:///srv/baton-elsewhere/dist/src/";

let code: Buffer;
let sha: string;
beforeAll(async () => {
  ({ code, sha } = await bundleAsServedFrom(DAG, `${pathToFileURL(join(ROOT, "dist", "src")).href}/`, SERVER_SDK_ROOT));
});

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

function request(taskId: string): AttemptRequest {
  return makeRequest({ bundlePath: `/srv/baton/.baton/bundles/${sha}.mjs`, logDir: "/srv/baton/.baton/logs", dagId: "remote", taskId });
}

async function startWorker(
  server: FakeWorkerServer,
  args: string[] = [],
): Promise<{ proc: ChildProcess; output: () => string; exited: Promise<number | null> }> {
  const cacheDir = mkdtempSync(join(tmpdir(), "baton-worker-e2e-"));
  const proc = spawn(process.execPath, [BIN, "worker", "--server", server.url, "--concurrency", "1", "--name", "e2e-box", "--cache-dir", cacheDir, ...args], {
    cwd: ROOT,
    env: { ...process.env, BATON_WORKER_TOKEN: TOKEN, BATON_QUEUES: "default,gpu" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.on("exit", (c) => resolve(c)));
  stops.push(async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
    await exited;
  });
  await server.waitFor("hello");
  return { proc, output: () => out, exited };
}

describe("baton worker (the real binary)", () => {
  it("without a server or token: exit 2 with a clear message", async () => {
    const env = { BATON_SERVER: "", BATON_WORKER_TOKEN: "" };
    const noServer = await baton(["worker", "--token", TOKEN], env);
    expect(noServer.code).toBe(2);
    expect(noServer.stderr).toContain("the API server is missing: pass --server <url> or set BATON_SERVER");
    expect(noServer.stderr + noServer.stdout).not.toContain(TOKEN);
    const noToken = await baton(["worker", "--server", "http://127.0.0.1:9"], env);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain("the worker token is missing: pass --token <token> or set BATON_WORKER_TOKEN");
  });

  it("SIGTERM drains: says draining, hands back what has not started, the running task finishes and is delivered, exit 0", async () => {
    const server = await FakeWorkerServer.start({ token: TOKEN, sdkRoot: SERVER_SDK_ROOT, bundles: new Map([[sha, code]]) });
    stops.push(() => server.close());
    const w = await startWorker(server, ["--grace", "20"]);
    const hello = server.messages("hello")[0]!;
    expect(hello).toMatchObject({ name: "e2e-box", queues: ["default", "gpu"], concurrency: 1 });
    await until(() => w.output().includes("Press Ctrl+C to stop."), "the banner");
    expect(w.output()).toContain(`Server:      ${server.url}`);
    expect(w.output()).toContain("Queues:      default, gpu");
    expect(w.output()).toContain("Concurrency: 1 process(es)");
    expect(w.output()).toContain("Name:        e2e-box");

    // The worker's token is not handed down to the tasks.
    const env = request("env");
    server.send({ t: "run", attempts: [env] });
    expect((await server.waitFor("finished", (m) => m.id === env.attemptId)).outcome).toEqual({ kind: "success", output: JSON.stringify("not inherited") });

    const running = request("nap");
    const waiting = request("nap");
    server.send({ t: "run", attempts: [running] });
    await server.waitFor("started", (m) => m.id === running.attemptId);
    server.send({ t: "run", attempts: [waiting] });
    await server.waitFor("heartbeat", (m) => m.holding === 2);
    w.proc.kill("SIGTERM");

    await server.waitFor("draining");
    expect((await server.waitFor("handback")).ids).toEqual([waiting.attemptId]);
    const finished = await server.waitFor("finished", (m) => m.id === running.attemptId);
    expect(finished.outcome).toEqual({ kind: "success", output: JSON.stringify("rested") });
    expect(await w.exited).toBe(0);
    expect(w.output()).toContain("Received SIGTERM: draining (running tasks get 20s to finish)");
    expect(w.output()).toContain("Baton worker stopped.");
    expect(server.messages("started").map((m) => m.id)).toEqual([env.attemptId, running.attemptId]);
    expect(w.output()).not.toContain(TOKEN);
  });

  it("a second signal exits at once (130)", async () => {
    const server = await FakeWorkerServer.start({ token: TOKEN, sdkRoot: SERVER_SDK_ROOT, bundles: new Map([[sha, code]]) });
    stops.push(() => server.close());
    const w = await startWorker(server);
    const long = request("sleep");
    server.send({ t: "run", attempts: [long] });
    await server.waitFor("started", (m) => m.id === long.attemptId);
    w.proc.kill("SIGTERM");
    await server.waitFor("draining");
    const at = Date.now();
    w.proc.kill("SIGINT");
    expect(await w.exited).toBe(130);
    expect(Date.now() - at).toBeLessThan(5_000);
    expect(w.output()).toContain("Forced exit.");
  });

  it("a token the server refuses: exit 2 with the server's message, no retry loop", async () => {
    const server = await FakeWorkerServer.start({ token: "batonw_another_token", sdkRoot: SERVER_SDK_ROOT });
    stops.push(() => server.close());
    const r = await baton(
      ["worker", "--server", server.url, "--concurrency", "1", "--cache-dir", mkdtempSync(join(tmpdir(), "baton-worker-e2e-"))],
      { BATON_WORKER_TOKEN: TOKEN },
      30_000,
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: the API server refused this worker: the server answered HTTP 401: invalid or revoked worker token");
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });
});

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
