import { afterEach, beforeEach, describe, expect, it } from "vitest";
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
