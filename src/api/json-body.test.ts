import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { NotFoundError } from "../core/errors.js";
import { jsonDepthExceeds, MAX_JSON_DEPTH } from "./json-body.js";
import { apiHarness, type ApiHarness } from "./testing/api-harness.js";

let h: ApiHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const nested = (levels: number) => "[".repeat(levels) + "]".repeat(levels);

/** Every route that takes a body, from the OpenAPI document, with its path parameters filled in. */
async function bodyRoutes(app: ApiHarness["app"]): Promise<{ method: "POST" | "PUT" | "PATCH"; url: string }[]> {
  const doc = (await app.inject("/api/openapi.json")).json() as { paths: Record<string, Record<string, unknown>> };
  const out: { method: "POST" | "PUT" | "PATCH"; url: string }[] = [];
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of ["post", "put", "patch"] as const) {
      if (ops[method] !== undefined && !path.endsWith("/webhook")) out.push({ method: method.toUpperCase() as "POST", url: path.replace(/\{[^}]+\}/g, "1") });
    }
  }
  return out;
}

describe("jsonDepthExceeds", () => {
  it("counts nesting without recursion, ignoring brackets inside strings", () => {
    expect(jsonDepthExceeds('{"a":[1,{"b":2}]}', 3)).toBe(false);
    expect(jsonDepthExceeds('{"a":[1,{"b":2}]}', 2)).toBe(true);
    expect(jsonDepthExceeds('{"a":"[[[[[[[[\\"[[[["}', 1)).toBe(false);
    expect(jsonDepthExceeds(nested(1_000_000), MAX_JSON_DEPTH)).toBe(true);
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH), MAX_JSON_DEPTH)).toBe(false);
  });
});

describe("regression (issue 8, item 5): JSON nested 4,000 levels deep was a 500", () => {
  it("answers 400 naming the limit on the run trigger, backfills and dataset events", async () => {
    h = await apiHarness();
    for (const [url, payload] of [
      ["/api/v1/dags/etl/runs", `{"conf":{"x":${nested(4000)}}}`],
      ["/api/v1/backfills", `{"dagId":"etl","from":"2025-01-01","to":"2025-01-02","conf":{"x":${nested(4000)}}}`],
      ["/api/v1/datasets/events", `{"uri":"s3://a/b","extra":{"x":${nested(4000)}}}`],
    ] as const) {
      const res = await h.app.inject({ method: "POST", url, payload, headers: { "content-type": "application/json" } });
      expect(res.statusCode, url).toBe(400);
      expect(res.json().error).toMatchObject({ code: "invalid_input", message: expect.stringContaining(`more than ${MAX_JSON_DEPTH} levels`) });
    }
    expect(await h.store.listRuns({ dagId: "etl" })).toEqual([]);
  });

  it("accepts JSON nested exactly to the limit and refuses one level more", async () => {
    h = await apiHarness();
    const at = (levels: number) => `{"uri":"s3://a/b","extra":{"x":${nested(levels - 2)}}}`;
    const post = (payload: string) =>
      h!.app.inject({ method: "POST", url: "/api/v1/datasets/events", payload, headers: { "content-type": "application/json" } });
    expect((await post(at(MAX_JSON_DEPTH))).statusCode).toBe(201);
    expect((await post(at(MAX_JSON_DEPTH + 1))).statusCode).toBe(400);
  });

  it("checks the depth on every route that takes a JSON body", async () => {
    h = await apiHarness();
    const routes = await bodyRoutes(h.app);
    expect(routes.length).toBeGreaterThan(10);
    for (const { method, url } of routes) {
      const res = await h.app.inject({ method, url, payload: `{"x":${nested(4000)}}`, headers: { "content-type": "application/json" } });
      expect(res.statusCode, `${method} ${url}`).toBe(400);
      expect(res.json().error.message, `${method} ${url}`).toContain(`more than ${MAX_JSON_DEPTH} levels`);
    }
  });

  it("answers 400 on a signed webhook whose body is nested too deep", async () => {
    const secret = "s3cr3t";
    h = await apiHarness({
      secrets: {
        connection: (id) => Promise.reject(new NotFoundError(`connection "${id}" not found`)),
        variable: (key) => (key === "webhook_secret_etl" ? Promise.resolve(secret) : Promise.reject(new NotFoundError(key))),
      },
    });
    const body = `{"x":${nested(4000)}}`;
    const signature = `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
    const res = await h.app.inject({
      method: "POST",
      url: "/api/v1/dags/etl/webhook",
      payload: body,
      headers: { "content-type": "application/json", "x-baton-signature": signature },
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.message).toContain(`more than ${MAX_JSON_DEPTH} levels`);
  });
});

describe("regression (issue 11): a non-JSON content type on a JSON route was a 400, not 415", () => {
  it("answers 415 with a message naming the type, on every route that takes a JSON body", async () => {
    h = await apiHarness();
    for (const { method, url } of await bodyRoutes(h.app)) {
      for (const type of ["text/plain", "text/plain; charset=utf-8", "application/xml"]) {
        const res = await h.app.inject({ method, url, payload: '{"conf":{}}', headers: { "content-type": type } });
        expect(res.statusCode, `${method} ${url} ${type}`).toBe(415);
        expect(res.headers["content-type"]).toMatch(/^application\/json/);
        expect(res.json().error).toEqual({ code: "invalid_input", message: expect.stringMatching(/Content-Type .* is not supported.*application\/json/) });
      }
    }
    const ok = await h.app.inject({
      method: "POST",
      url: "/api/v1/dags/etl/runs",
      payload: "{}",
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(ok.statusCode).toBe(201);
  });
});
