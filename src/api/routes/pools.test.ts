import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newRun, taskInstance } from "../../store/contract/fixtures.js";
import { apiHarness, type ApiHarness } from "../testing/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});
afterEach(async () => {
  await h.close();
});

describe("pools", () => {
  it("creates, lists, gets, patches and deletes pools with their usage", async () => {
    const created = await h.app.inject({ method: "POST", url: "/api/v1/pools", payload: { name: "db", slots: 2 } });
    expect(created.statusCode).toBe(201);
    const idle = { runningSlots: 0, queuedSlots: 0, holders: [], holdersTotal: 0 };
    expect(created.json()).toEqual({ name: "db", slots: 2, description: "", running: 0, openSlots: 2, ...idle });
    await h.store.createRun(newRun("etl", "r1", { dagVersion: "etl-v1" }), [
      taskInstance("extract", { pool: "db", poolSlots: 1, state: "running", tryNumber: 1, queuedAt: 1000 }),
      taskInstance("load", { pool: "db", poolSlots: 1, state: "queued", queuedAt: 2000 }),
      taskInstance("report", { pool: "db", state: "success" }),
    ]);
    const list = (await h.app.inject("/api/v1/pools")).json().pools;
    const holders = [
      { dagId: "etl", runId: "r1", taskId: "extract", mapIndex: -1, state: "running", slots: 1, tryNumber: 1, since: "1970-01-01T00:00:01.000Z" },
      { dagId: "etl", runId: "r1", taskId: "load", mapIndex: -1, state: "queued", slots: 1, tryNumber: 0, since: "1970-01-01T00:00:02.000Z" },
    ];
    const busy = { running: 2, runningSlots: 1, queuedSlots: 1, holders, holdersTotal: 2 };
    expect(list).toContainEqual({ name: "db", slots: 2, description: "", openSlots: 0, ...busy });
    expect(list.map((p: { name: string }) => p.name)).toContain("default_pool");
    const patched = await h.app.inject({ method: "PATCH", url: "/api/v1/pools/db", payload: { description: "Datenbank «x»" } });
    expect(patched.json()).toEqual({ name: "db", slots: 2, description: "Datenbank «x»", openSlots: 0, ...busy });
    expect((await h.app.inject({ method: "PATCH", url: "/api/v1/pools/db", payload: { slots: 5 } })).json().slots).toBe(5);
    expect((await h.app.inject("/api/v1/pools/db")).json()).toEqual({ name: "db", slots: 5, description: "Datenbank «x»", openSlots: 3, ...busy });
    expect((await h.app.inject({ method: "PATCH", url: "/api/v1/pools/db", payload: { slots: 1 } })).json()).toMatchObject({ openSlots: 0, running: 2 });
    expect((await h.app.inject({ method: "DELETE", url: "/api/v1/pools/db" })).statusCode).toBe(204);
    expect((await h.app.inject("/api/v1/pools/db")).statusCode).toBe(404);
  });

  it("answers 409 for an existing name, 400 for bad input or default_pool, 404 for unknown pools", async () => {
    await h.app.inject({ method: "POST", url: "/api/v1/pools", payload: { name: "db", slots: 2 } });
    const dup = await h.app.inject({ method: "POST", url: "/api/v1/pools", payload: { name: "db", slots: 3 } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.code).toBe("conflict");
    for (const [payload, field] of [
      [{ name: "db 2", slots: 1 }, "name"],
      [{ name: "x", slots: -1 }, "slots"],
      [{ name: "x", slots: 1.5 }, "slots"],
      [{ name: "x" }, "slots"],
    ] as const) {
      const res = await h.app.inject({ method: "POST", url: "/api/v1/pools", payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.field).toBe(field);
    }
    const del = await h.app.inject({ method: "DELETE", url: "/api/v1/pools/default_pool" });
    expect(del.statusCode).toBe(400);
    expect((await h.app.inject({ method: "DELETE", url: "/api/v1/pools/nope" })).statusCode).toBe(404);
    expect((await h.app.inject({ method: "PATCH", url: "/api/v1/pools/nope", payload: { slots: 1 } })).statusCode).toBe(404);
    expect((await h.app.inject({ method: "PATCH", url: "/api/v1/pools/db", payload: { slots: "many" } })).json().error.field).toBe("slots");
  });
});
