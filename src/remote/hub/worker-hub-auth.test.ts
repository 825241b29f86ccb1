import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WORKER_BUNDLE_PATH } from "../protocol.js";
import { SWEEP_MS } from "./worker-hub.js";
import { eventually, HubHarness, TestWorker } from "./testing/hub-harness.js";

let h: HubHarness;
beforeEach(async () => {
  h = await HubHarness.start();
});
afterEach(async () => {
  await h.close();
});

describe("WorkerHub: who may connect", () => {
  it("answers 401 with a JSON message to an upgrade without a token, with a user's API token, or with a revoked worker token", async () => {
    const none = await h.open(null);
    expect(none).toMatchObject({ status: 401 });
    expect(JSON.parse((none as { body: string }).body)).toEqual({
      error: { code: "unauthorized", message: expect.stringContaining("worker token is required") },
    });

    const user = await h.open(await h.userToken());
    expect(user).toMatchObject({ status: 401 });
    expect((user as { body: string }).body).toContain("a user's API token cannot connect a worker");

    const { token, id } = await h.workerToken(null);
    await h.store.workers.revokeWorkerToken(id, h.clock.now());
    expect(await h.open(token)).toMatchObject({ status: 401 });

    const { token: good } = await h.workerToken(null);
    expect(await h.open(good)).toBeInstanceOf(TestWorker);
  });

  it("refuses a hello whose queues are outside the token's scope, empty, or invalid, and one of another protocol", async () => {
    const { token } = await h.workerToken(["gpu"]);
    const outside = await h.connect(token, { workerId: "w-out", queues: ["gpu", "default"] });
    expect(outside.all("refused")[0]?.error).toMatch(/may not serve queue\(s\) default; it is limited to gpu/);
    await eventually(() => outside.closed, "the refused socket to close");
    expect(outside.all("welcome")).toEqual([]);

    expect((await h.connect(token, { workerId: "w-none", queues: [] })).all("refused")[0]?.error).toMatch(/listens on no queue/);
    expect((await h.connect(token, { workerId: "w-bad", queues: ["g p u"] })).all("refused")[0]?.error).toMatch(/invalid queue name/);
    expect((await h.connect(token, { workerId: "w-proto", queues: ["gpu"], protocol: 99 })).all("refused")[0]?.error).toMatch(/protocol 1, the worker 99/);
    expect(await h.store.workers.getWorker("w-out")).toBeUndefined();

    const ok = await h.connect(token, { workerId: "w-ok", queues: ["gpu"] });
    expect(ok.all("welcome")[0]).toMatchObject({
      protocol: 1,
      serverVersion: "9.9.9-test",
      sdkRoot: "file:///opt/baton/dist/src/",
      heartbeatMs: 2_000,
      lostAfterMs: 10_000,
      keep: [],
    });
    expect(await h.store.workers.getWorker("w-ok")).toMatchObject({ state: "active", queues: ["gpu"], concurrency: 2, lastSeenAt: h.clock.now() });
  });

  it("refuses a connection whose first message is not hello", async () => {
    const { token } = await h.workerToken(null);
    const w = await h.open(token);
    if (!(w instanceof TestWorker)) throw new Error("not upgraded");
    w.send({ t: "heartbeat", holding: 0 });
    expect((await w.next("refused")).error).toMatch(/first message must be "hello"/);
    await eventually(() => w.closed, "the socket to close");
  });

  it("disconnects the workers of a token revoked while they are connected, within a sweep", async () => {
    const { token, id } = await h.workerToken(null);
    const w = await h.connect(token, { workerId: "w1" });
    expect(h.hub.connectedWorkers()).toEqual(["w1"]);
    await h.store.workers.revokeWorkerToken(id, h.clock.now());
    h.clock.advance(SWEEP_MS);
    expect((await w.next("refused")).error).toMatch(/revoked/);
    await eventually(() => w.closed, "the socket to close");
    expect(h.hub.connectedWorkers()).toEqual([]);
  });
});

describe("WorkerHub: bundles", () => {
  const sha = "b".repeat(64);
  const code = 'import { dag } from "file:///opt/baton/dist/src/sdk/index.js";\nexport default dag("etl", {});\n// ünïcødé\n';

  it("serves a bundle by sha256 to a worker token only: exact code from the database, else the bundles folder, else 404", async () => {
    await h.store.workers.saveBundle(sha, code, h.clock.now());
    const { token } = await h.workerToken(["gpu"]);
    const url = `${h.origin}${WORKER_BUNDLE_PATH}${sha}`;

    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(await res.text()).toBe(code);

    const onDisk = "c".repeat(64);
    writeFileSync(join(h.bundlesDir, `${onDisk}.mjs`), "export default 1;\n");
    expect(await (await fetch(`${h.origin}${WORKER_BUNDLE_PATH}${onDisk}`, { headers: { authorization: `Bearer ${token}` } })).text()).toBe(
      "export default 1;\n",
    );

    const missing = await fetch(`${h.origin}${WORKER_BUNDLE_PATH}${"d".repeat(64)}`, { headers: { authorization: `Bearer ${token}` } });
    expect(missing.status).toBe(404);
    const invalid = await fetch(`${h.origin}${WORKER_BUNDLE_PATH}..%2F..%2Fetc%2Fpasswd`, { headers: { authorization: `Bearer ${token}` } });
    expect(invalid.status).toBe(400);
  });

  it("answers 401 without a token, with a user's API token and with a revoked worker token", async () => {
    await h.store.workers.saveBundle(sha, code, h.clock.now());
    const url = `${h.origin}${WORKER_BUNDLE_PATH}${sha}`;
    const none = await fetch(url);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: { code: "unauthorized", message: expect.stringContaining("worker token") } });
    expect((await fetch(url, { headers: { authorization: `Bearer ${await h.userToken()}` } })).status).toBe(401);
    const { token, id } = await h.workerToken(null);
    await h.store.workers.revokeWorkerToken(id, h.clock.now());
    expect((await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it("a worker token cannot call the rest of the API", async () => {
    const { token } = await h.workerToken(null);
    const res = await fetch(`${h.origin}/api/v1/dags`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(401);
  });
});
