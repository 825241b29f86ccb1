import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WorkerRecord } from "../../core/model/workers.js";
import type { AttemptRequest } from "../../core/ports/executor.js";
import { taskSpec } from "../../store/contract/fixtures.js";
import { createWorkerToken, verifyWorkerToken } from "../auth/worker-token.js";
import { apiHarness, NOW, type ApiHarness } from "../testing/api-harness.js";

// GET /api/v1/workers and the worker-token routes over a real SQLite store (docs/workers.md#tokens-and-the-workers-page).

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness({ mode: "required" });
});
afterEach(async () => {
  await h.close();
});

const HOUR = 3_600_000;

function worker(id: string, tokenId: string, over: Partial<WorkerRecord> = {}): WorkerRecord {
  return {
    id,
    name: id.split(":")[0]!,
    host: `${id.split(":")[0]}.example`,
    pid: 4242,
    tokenId,
    queues: ["gpu"],
    concurrency: 4,
    running: 0,
    version: "1.2.3",
    state: "active",
    startedAt: NOW - HOUR,
    lastSeenAt: NOW - 2_000,
    stateChangedAt: NOW - HOUR,
    reason: null,
    ...over,
  };
}

/** A queued remote attempt of task `taskId` in a new manual run of `etl`. */
async function enqueue(queue: string, taskId: string): Promise<{ attemptId: string; runId: string }> {
  const res = await h.app.inject({ method: "POST", url: "/api/v1/dags/etl/runs", headers: await h.bearer("user"), payload: { runId: `r-${queue}-${taskId}` } });
  expect(res.statusCode, res.body).toBe(201);
  const runId = res.json().runId as string;
  const run = (await h.store.getRun("etl", runId))!;
  const attemptId = `${run.id}/${taskId}/-1/1`;
  const request: AttemptRequest = {
    attemptId,
    runPk: run.id,
    taskId,
    mapIndex: -1,
    tryNumber: 1,
    maxTries: 1,
    bundlePath: "/b/etl.mjs",
    task: taskSpec(taskId),
    context: { dagId: "etl", runId, runType: "manual", logicalDate: NOW, dataIntervalStart: NOW, dataIntervalEnd: NOW, timezone: "UTC", params: {}, conf: {} },
    inputs: {},
    logPath: "/l/x.log",
    maxOutputBytes: 1_000_000,
  };
  await h.store.workers.enqueueRemoteAttempts([{ attemptId, runPk: run.id, schedulerId: "s1", queue, request, createdAt: NOW }]);
  return { attemptId, runId };
}

describe("GET /api/v1/workers", () => {
  it("is empty without workers", async () => {
    const res = await h.app.inject({ url: "/api/v1/workers", headers: await h.bearer("viewer") });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ workers: [], queues: [] });
  });

  it("lists active workers with their attempts, others seen in the last 24 h (or since ?since=), and queue depths with the workers listening", async () => {
    const { record } = await createWorkerToken(h.store.workers, { name: "gpu-boxes", queues: ["gpu"], createdBy: "admin" }, NOW);
    await h.store.workers.upsertWorker(worker("gpu1:1:a", record.id, { running: 1 }));
    await h.store.workers.upsertWorker(
      worker("old:1:b", record.id, { state: "stopped", lastSeenAt: NOW - HOUR, stateChangedAt: NOW - HOUR, reason: "shut down" }),
    );
    await h.store.workers.upsertWorker(
      worker("gone:1:c", record.id, {
        state: "lost",
        startedAt: NOW - 31 * HOUR,
        lastSeenAt: NOW - 30 * HOUR,
        stateChangedAt: NOW - 30 * HOUR,
        reason: "no heartbeat for 10 s",
      }),
    );
    const first = await enqueue("gpu", "extract");
    await enqueue("gpu", "load");
    await enqueue("spark", "report");
    const claimed = await h.store.workers.claimRemoteAttempts("gpu1:1:a", ["gpu"], 1, NOW);
    expect(claimed.map((a) => a.attemptId)).toEqual([first.attemptId]);

    const res = await h.app.inject({ url: "/api/v1/workers", headers: await h.bearer("viewer") });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { workers: Record<string, unknown>[]; queues: unknown[] };
    expect(body.workers.map((w) => w.id)).toEqual(["gpu1:1:a", "old:1:b"]);
    expect(body.workers[0]).toEqual({
      id: "gpu1:1:a",
      name: "gpu1",
      host: "gpu1.example",
      pid: 4242,
      queues: ["gpu"],
      concurrency: 4,
      running: 1,
      version: "1.2.3",
      state: "active",
      startedAt: new Date(NOW - HOUR).toISOString(),
      lastSeenAt: new Date(NOW - 2_000).toISOString(),
      stateChangedAt: new Date(NOW - HOUR).toISOString(),
      reason: null,
      tokenId: record.id,
      tokenName: "gpu-boxes",
      attempts: [
        { attemptId: first.attemptId, dagId: "etl", runId: first.runId, taskId: "extract", mapIndex: -1, tryNumber: 1, state: "assigned", startedAt: null },
      ],
    });
    expect(body.workers[1]).toMatchObject({ state: "stopped", reason: "shut down", attempts: [] });
    expect(body.queues).toEqual([
      { queue: "gpu", queued: 1, running: 1, workers: 1 },
      { queue: "spark", queued: 1, running: 0, workers: 0 },
    ]);

    const since = new Date(NOW - 48 * HOUR).toISOString();
    const older = await h.app.inject({ url: `/api/v1/workers?since=${since}`, headers: await h.bearer("viewer") });
    expect((older.json() as { workers: { id: string }[] }).workers.map((w) => w.id)).toEqual(["gpu1:1:a", "old:1:b", "gone:1:c"]);
  });

  it("counts only active workers as listening; a draining one still shows what it holds", async () => {
    const { record } = await createWorkerToken(h.store.workers, { name: "t", queues: null, createdBy: null }, NOW);
    await h.store.workers.upsertWorker(worker("d:1:a", record.id, { state: "draining", queues: ["gpu", "default"] }));
    await enqueue("gpu", "extract");
    const body = (await h.app.inject({ url: "/api/v1/workers", headers: await h.bearer("viewer") })).json() as { queues: unknown[] };
    expect(body.queues).toEqual([{ queue: "gpu", queued: 1, running: 0, workers: 0 }]);
  });

  it("refuses a malformed since with 400 and anonymous requests with 401", async () => {
    const res = await h.app.inject({ url: "/api/v1/workers?since=yesterday", headers: await h.bearer("viewer") });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.field).toBe("since");
    expect((await h.app.inject({ url: "/api/v1/workers" })).statusCode).toBe(401);
  });
});

describe("worker tokens", () => {
  it("an admin creates one (the token shown once), sees it listed with its workers, and revokes it; no secret hash ever leaves", async () => {
    const admin = await h.bearer("admin");
    const created = await h.app.inject({
      method: "POST",
      url: "/api/v1/worker-tokens",
      headers: admin,
      payload: { name: "gpu-box-1", queues: ["gpu", "default"] },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.headers["cache-control"]).toBe("no-store");
    const body = created.json() as Record<string, unknown> & { id: string; token: string };
    expect(body).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{12}$/),
      token: expect.stringMatching(/^batonw_[0-9a-f]{12}_/),
      name: "gpu-box-1",
      queues: ["gpu", "default"],
      createdBy: "admin-user",
      createdAt: new Date(NOW).toISOString(),
      lastSeenAt: null,
      revokedAt: null,
    });
    expect(body.token.startsWith(`batonw_${body.id}_`)).toBe(true);
    expect(await verifyWorkerToken(h.store.workers, body.token, NOW)).toMatchObject({ id: body.id });

    await h.store.workers.upsertWorker(worker("gpu1:1:a", body.id));
    await h.store.workers.upsertWorker(worker("old:1:b", body.id, { state: "stopped" }));
    const list = await h.app.inject({ url: "/api/v1/worker-tokens", headers: admin });
    expect(list.statusCode).toBe(200);
    expect(list.json()).toEqual({
      tokens: [
        {
          id: body.id,
          name: "gpu-box-1",
          queues: ["gpu", "default"],
          createdBy: "admin-user",
          createdAt: new Date(NOW).toISOString(),
          lastSeenAt: new Date(NOW).toISOString(),
          revokedAt: null,
          workers: [{ id: "gpu1:1:a", name: "gpu1", host: "gpu1.example", state: "active" }],
        },
      ],
    });
    const stored = (await h.store.workers.getWorkerToken(body.id))!;
    for (const text of [created.body, list.body]) expect(text).not.toContain(stored.secretHash);
    const [audit] = await h.store.listAudit({ limit: 1, action: "worker_token.create" });
    expect(audit).toMatchObject({
      actor: { name: "admin-user", via: "token" },
      target: { type: "worker_token", id: body.id },
      after: { name: "gpu-box-1", queues: ["gpu", "default"] },
    });
    expect(JSON.stringify(audit)).not.toContain(body.token.split("_").at(-1));

    h.clock.now = NOW + 5_000;
    const revoked = await h.app.inject({ method: "DELETE", url: `/api/v1/worker-tokens/${body.id}`, headers: admin });
    expect(revoked.statusCode).toBe(204);
    expect((await h.store.workers.getWorkerToken(body.id))?.revokedAt).toBe(NOW + 5_000);
    expect(await verifyWorkerToken(h.store.workers, body.token, NOW + 6_000)).toBeNull();
    const [revokeEntry] = await h.store.listAudit({ limit: 1, action: "worker_token.revoke" });
    expect(revokeEntry).toMatchObject({
      target: { type: "worker_token", id: body.id },
      before: { name: "gpu-box-1", revokedAt: null },
      details: { alreadyRevoked: false },
    });
    // Revoking twice is accepted (and says so in the audit trail); an unknown id is 404.
    expect((await h.app.inject({ method: "DELETE", url: `/api/v1/worker-tokens/${body.id}`, headers: admin })).statusCode).toBe(204);
    expect((await h.store.listAudit({ limit: 1, action: "worker_token.revoke" }))[0]?.details).toMatchObject({ alreadyRevoked: true });
    expect((await h.store.workers.getWorkerToken(body.id))?.revokedAt).toBe(NOW + 5_000);
    const missing = await h.app.inject({ method: "DELETE", url: "/api/v1/worker-tokens/000000000000", headers: admin });
    expect(missing.statusCode).toBe(404);
    expect((await h.app.inject({ url: "/api/v1/worker-tokens", headers: admin })).json().tokens[0].revokedAt).toBe(new Date(NOW + 5_000).toISOString());
  });

  it("without queues a token serves any queue (null)", async () => {
    const res = await h.app.inject({ method: "POST", url: "/api/v1/worker-tokens", headers: await h.bearer("admin"), payload: { name: "any" } });
    expect(res.statusCode).toBe(201);
    expect(res.json().queues).toBeNull();
  });

  it("refuses invalid names and queues with 400 naming the field", async () => {
    const admin = await h.bearer("admin");
    const cases: [object, string][] = [
      [{ name: "" }, "name"],
      [{ name: "x", queues: ["gpu", "no spaces"] }, "queues.1"],
      [{ name: "x", queues: [] }, "queues"],
      [{ name: "x", queues: ["a", "a"] }, "queues"],
      [{ name: "x", role: "admin" }, "role"],
    ];
    for (const [payload, field] of cases) {
      const res = await h.app.inject({ method: "POST", url: "/api/v1/worker-tokens", headers: admin, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.field, JSON.stringify(payload)).toBe(field);
    }
    expect(await h.store.workers.listWorkerTokens()).toEqual([]);
  });

  it("needs an admin: op and viewer tokens get 403, and a worker token cannot call the API", async () => {
    const { token } = await createWorkerToken(h.store.workers, { name: "w", queues: null, createdBy: null }, NOW);
    for (const role of ["viewer", "op"] as const) {
      const headers = await h.bearer(role);
      expect((await h.app.inject({ url: "/api/v1/worker-tokens", headers })).statusCode, role).toBe(403);
      expect((await h.app.inject({ method: "POST", url: "/api/v1/worker-tokens", headers, payload: { name: "x" } })).statusCode, role).toBe(403);
    }
    const asWorker = { authorization: `Bearer ${token}` };
    expect((await h.app.inject({ url: "/api/v1/workers", headers: asWorker })).statusCode).toBe(401);
    expect((await h.app.inject({ url: "/api/v1/worker-tokens", headers: asWorker })).statusCode).toBe(401);
  });
});
