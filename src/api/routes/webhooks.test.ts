import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NotFoundError } from "../../core/errors.js";
import type { SecretsResolver } from "../../core/ports/secrets-resolver.js";
import { apiHarness, type ApiHarness } from "../testing/api-harness.js";

const SECRET = "s3cr3t «ünï»";

/** Variables from a map, as the real resolver answers them. */
function variables(values: Record<string, string>): SecretsResolver {
  return {
    connection: (id) => Promise.reject(new NotFoundError(`connection "${id}" not found`)),
    variable: (key) => (key in values ? Promise.resolve(values[key]!) : Promise.reject(new NotFoundError(`variable "${key}" not found`))),
  };
}

const sign = (body: string, secret = SECRET) => `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness({ mode: "required", secrets: variables({ webhook_secret_etl: SECRET }) });
});
afterEach(async () => {
  await h.close();
});

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  h.app.inject({ method: "POST", url, payload: body, headers: { "content-type": "application/json", ...headers } });

describe("webhook", () => {
  it("a good signature starts a run with the body as conf, without credentials (201)", async () => {
    const body = JSON.stringify({ n: 7, region: "eu" });
    const res = await post("/api/v1/dags/etl/webhook", body, { "x-baton-signature": sign(body) });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ dagId: "etl", runType: "manual", state: "queued", conf: { n: 7, region: "eu" } });
    expect((await h.store.listRuns({ dagId: "etl" })).map((r) => r.conf)).toEqual([{ n: 7, region: "eu" }]);
  });

  it("signs the raw bytes: any content type, an empty body is {}", async () => {
    const res = await post("/api/v1/dags/etl/webhook", "", { "x-baton-signature": sign(""), "content-type": "text/plain" });
    expect(res.statusCode).toBe(201);
    expect(res.json().conf).toEqual({});
    const spaced = '{ "n" : 2 }\n';
    expect((await post("/api/v1/dags/etl/webhook", spaced, { "x-baton-signature": sign(spaced).toUpperCase().replace("SHA256=", "sha256=") })).statusCode).toBe(
      201,
    );
  });

  it("answers 401 for a missing, malformed or wrong signature", async () => {
    const body = JSON.stringify({ n: 1 });
    const cases: Record<string, string>[] = [
      {},
      { "x-baton-signature": "abc" },
      { "x-baton-signature": sign(body, "other") },
      { "x-baton-signature": sign(`${body} `) },
    ];
    for (const headers of cases) {
      const res = await post("/api/v1/dags/etl/webhook", body, headers);
      expect(res.statusCode, JSON.stringify(headers)).toBe(401);
      expect(res.json().error.code).toBe("unauthorized");
    }
    expect(await h.store.listRuns({ dagId: "etl" })).toEqual([]);
  });

  it("a replayed delivery id answers 200 with the run it started", async () => {
    const body = JSON.stringify({ n: 3 });
    const headers = { "x-baton-signature": sign(body), "x-baton-delivery": "d-42" };
    const first = await post("/api/v1/dags/etl/webhook", body, headers);
    expect(first.statusCode).toBe(201);
    expect(first.json().runId).toBe("webhook__d-42");
    const again = await post("/api/v1/dags/etl/webhook", body, headers);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    expect(await h.store.listRuns({ dagId: "etl" })).toHaveLength(1);
    const bad = await post("/api/v1/dags/etl/webhook", body, { ...headers, "x-baton-delivery": "no spaces" });
    expect(bad.statusCode).toBe(400);
  });

  it("answers 400 naming the field when the conf fails the params, or the body is not a JSON object", async () => {
    const body = JSON.stringify({ region: "asia" });
    const res = await post("/api/v1/dags/etl/webhook", body, { "x-baton-signature": sign(body) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: "invalid_input", field: "conf.region" });
    for (const text of ["[1]", "{nope"]) {
      const r = await post("/api/v1/dags/etl/webhook", text, { "x-baton-signature": sign(text) });
      expect(r.statusCode, text).toBe(400);
      expect(r.json().error.message).toMatch(/^body: /);
    }
  });

  it("answers 404 naming the variable when the DAG has no secret, and for unknown DAGs", async () => {
    const body = "{}";
    const res = await post("/api/v1/dags/other/webhook", body, { "x-baton-signature": sign(body) });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toBe("webhook not configured for DAG other; set variable webhook_secret_other");
    expect((await post("/api/v1/dags/nope/webhook", body, { "x-baton-signature": sign(body) })).statusCode).toBe(404);
  });

  it("answers 404 when the server has no secrets resolver", async () => {
    const bare = await apiHarness();
    try {
      const res = await bare.app.inject({
        method: "POST",
        url: "/api/v1/dags/etl/webhook",
        payload: "{}",
        headers: { "content-type": "application/json", "x-baton-signature": sign("{}") },
      });
      expect(res.statusCode).toBe(404);
      expect(res.json().error.message).toContain("set variable webhook_secret_etl");
    } finally {
      await bare.close();
    }
  });

  it("refuses bodies over 1 MiB (413)", async () => {
    const body = JSON.stringify({ pad: "x".repeat(1024 * 1024) });
    const res = await post("/api/v1/dags/etl/webhook", body, { "x-baton-signature": sign(body) });
    expect(res.statusCode).toBe(413);
  });
});
