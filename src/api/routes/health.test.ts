import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { holdSqliteLock } from "../../../test/support/hold-sqlite-lock.js";
import { apiHarness, NOW, type ApiHarness } from "../testing/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness({ mode: "required" });
});
afterEach(async () => {
  await h.close();
});

describe("GET /api/v1/health", () => {
  it("needs no credentials and reports the scheduler down without a heartbeat", async () => {
    const res = await h.app.inject("/api/v1/health");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ok", store: { status: "ok" }, scheduler: { status: "down", lastHeartbeat: null } });
  });

  it("reports the scheduler ok while its heartbeat is under 30 s old", async () => {
    await h.store.heartbeat("scheduler", "s1", NOW - 5_000);
    expect((await h.app.inject("/api/v1/health")).json().scheduler).toEqual({ status: "ok", lastHeartbeat: new Date(NOW - 5_000).toISOString() });
    h.clock.now = NOW + 30_000;
    expect((await h.app.inject("/api/v1/health")).json().scheduler.status).toBe("down");
  });

  it("answers 503 unhealthy when the store cannot be reached", async () => {
    await h.store.close();
    const res = await h.app.inject("/api/v1/health");
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: "unhealthy", store: { status: "down" }, scheduler: { status: "down", lastHeartbeat: null } });
  });
});

describe("regression (issue 8, item 6): GET /api/v1/health while another process holds the database's lock", () => {
  it("answers within a second with 503 degraded and the store unavailable, then ok once the pending write went through", async () => {
    await h.store.heartbeat("scheduler", "s1", NOW - 1_000);
    await h.app.inject("/api/v1/health");
    const lock = await holdSqliteLock(join(h.dir, "baton.db"), 3_000);
    // The scheduler's next write (a heartbeat, a group commit) now waits for the lock.
    const write = h.store.heartbeat("scheduler", "s1", NOW);
    const started = Date.now();
    const during = await h.app.inject("/api/v1/health");
    const tookMs = Date.now() - started;
    expect(tookMs).toBeLessThan(1_000);
    expect(during.statusCode).toBe(503);
    const body = during.json();
    expect(body).toEqual({
      status: "degraded",
      store: { status: "unavailable", error: expect.stringMatching(/database is locked/), since: expect.any(String) },
      // The last heartbeat read before the lock.
      scheduler: { status: "ok", lastHeartbeat: new Date(NOW - 1_000).toISOString() },
    });
    expect(Math.abs(Date.parse(body.store.since) - started)).toBeLessThan(2_000);

    await lock.released;
    await write;
    const after = await h.app.inject("/api/v1/health");
    expect(after.statusCode).toBe(200);
    expect(after.json()).toEqual({ status: "ok", store: { status: "ok" }, scheduler: { status: "ok", lastHeartbeat: new Date(NOW).toISOString() } });
  });
});
