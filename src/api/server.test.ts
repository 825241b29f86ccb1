import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BatonError, InvalidInputError, NotFoundError, StoreUnavailableError } from "../core/errors.js";
import { ConflictError, fieldOfMessage, mapError } from "./errors.js";
import { apiHarness, type ApiHarness } from "./testing/api-harness.js";

let h: ApiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("error mapping", () => {
  it("maps error classes to statuses in one place", () => {
    expect(mapError(new InvalidInputError("params are invalid: conf.region: must be one of eu, us"))).toEqual({
      status: 400,
      body: { error: { code: "invalid_input", message: "params are invalid: conf.region: must be one of eu, us", field: "conf.region" } },
    });
    expect(mapError(new NotFoundError("x")).status).toBe(404);
    expect(mapError(new ConflictError("x")).body.error.code).toBe("conflict");
    expect(mapError(new BatonError("x")).status).toBe(400);
    expect(mapError(new StoreUnavailableError("locked"))).toEqual({ status: 503, body: { error: { code: "unavailable", message: "locked" } } });
    expect(mapError(new Error("secret detail"))).toEqual({
      status: 500,
      body: { error: { code: "internal", message: "internal server error; see the server log" } },
    });
    expect(mapError("thrown string").status).toBe(500);
  });

  it("names the field only when one path is at fault", () => {
    expect(fieldOfMessage("params are invalid: conf.a: is required; conf.b: must be integer")).toBeUndefined();
    expect(fieldOfMessage("params are invalid: conf.a: is required; conf.a: must be integer")).toBe("conf.a");
    expect(fieldOfMessage("cursor: is not valid; pass nextCursor back")).toBe("cursor");
    expect(fieldOfMessage("DAG x has no run y")).toBeUndefined();
    expect(fieldOfMessage("params are invalid: conf.région: is required")).toBe("conf.région");
  });
});

describe("nothing the API receives crashes it", () => {
  it("answers malformed JSON, wrong content types and garbage with 4xx JSON errors", async () => {
    h = await apiHarness();
    const cases: { method: "POST" | "PATCH"; url: string; payload: string | Buffer; type?: string; status: number }[] = [
      { method: "POST", url: "/api/v1/dags/etl/runs", payload: "{not json", status: 400 },
      { method: "POST", url: "/api/v1/dags/etl/runs", payload: "", status: 400 },
      { method: "POST", url: "/api/v1/dags/etl/runs", payload: "null", status: 400 },
      { method: "POST", url: "/api/v1/dags/etl/runs", payload: "[1,2,3]", status: 400 },
      { method: "POST", url: "/api/v1/dags/etl/runs", payload: '"a string"', status: 400 },
      { method: "POST", url: "/api/v1/dags/etl/runs", payload: '{"__proto__":{"polluted":true},"conf":{}}', status: 400 },
      { method: "POST", url: "/api/v1/dags/etl/runs", payload: Buffer.from([0xff, 0xfe, 0x00, 0x81]), status: 400 },
      { method: "POST", url: "/api/v1/dags/etl/runs", payload: "conf=1", type: "application/x-www-form-urlencoded", status: 415 },
      { method: "PATCH", url: "/api/v1/dags/etl", payload: `{"paused":${"[".repeat(5000)}`, status: 400 },
      { method: "POST", url: "/api/v1/pools", payload: JSON.stringify({ name: "x".repeat(2_000_000), slots: 1 }), status: 413 },
    ];
    for (const c of cases) {
      const res = await h.app.inject({ method: c.method, url: c.url, payload: c.payload, headers: { "content-type": c.type ?? "application/json" } });
      expect(res.statusCode, `${c.url} ${String(c.payload).slice(0, 40)}`).toBe(c.status);
      expect(res.headers["content-type"]).toMatch(/^application\/json/);
      expect(res.json().error.code).toBe("invalid_input");
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((await h.app.inject("/api/v1/health")).statusCode).toBe(200);
  });

  it("answers unknown routes and methods with 404 JSON", async () => {
    h = await apiHarness();
    for (const [method, url] of [
      ["GET", "/api/v1/nothing"],
      ["PUT", "/api/v1/dags/etl"], // DELETE is a route now (baton dags delete)
      ["GET", "/api/v2/dags"],
      ["GET", "/"],
    ] as const) {
      const res = await h.app.inject({ method, url });
      expect(res.statusCode, url).toBe(404);
      expect(res.json().error.code).toBe("not_found");
    }
    const bad = await h.app.inject("/api/v1/dags/%E0%A4%A");
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe("invalid_input");
  });

  it("survives huge numbers, long and odd ids and query arrays", async () => {
    h = await apiHarness();
    for (const url of [
      "/api/v1/runs?limit=9007199254740993",
      "/api/v1/runs?limit=-0",
      "/api/v1/runs?limit=1&limit=2",
      `/api/v1/dags/${"x".repeat(5000)}`,
      `/api/v1/dags/${encodeURIComponent("\u0000\u202e🙃")}/runs/${encodeURIComponent("../../etc/passwd")}/tasks/x/logs`,
      "/api/v1/dags?search=%00%FF",
      "/api/v1/backfills/1e3",
      `/api/v1/runs?cursor=${"-".repeat(24)}`,
    ]) {
      const res = await h.app.inject(url);
      expect(res.statusCode, url).toBeLessThan(500);
      expect(() => res.json(), url).not.toThrow();
    }
  });
});

describe("UI assets", () => {
  it("serves the built UI at / with the SPA fallback, never for /api", async () => {
    const uiDir = join(await import("node:os").then((os) => os.tmpdir()), `baton-ui-${process.pid}-${Date.now()}`);
    mkdirSync(join(uiDir, "assets"), { recursive: true });
    writeFileSync(join(uiDir, "index.html"), "<!doctype html><title>Baton</title>");
    writeFileSync(join(uiDir, "assets", "app.js"), "console.log(1)");
    h = await apiHarness({ uiDir });
    const index = await h.app.inject("/");
    expect(index.statusCode).toBe(200);
    expect(index.body).toContain("<title>Baton</title>");
    expect((await h.app.inject("/assets/app.js")).body).toBe("console.log(1)");
    const deep = await h.app.inject("/dags/etl/grid?x=1");
    expect(deep.statusCode).toBe(200);
    expect(deep.headers["content-type"]).toMatch(/^text\/html/);
    const api = await h.app.inject("/api/v1/nothing");
    expect(api.statusCode).toBe(404);
    expect(api.json().error.code).toBe("not_found");
    expect((await h.app.inject({ method: "POST", url: "/somewhere" })).statusCode).toBe(404);
  });
});
