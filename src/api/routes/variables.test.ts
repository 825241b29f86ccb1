import { afterEach, describe, expect, it } from "vitest";
import { secretsHarness, type SecretsHarness } from "../testing/secrets-harness.js";

const SECRET = "v4r-S3cret-value";
const SECRET_2 = "v4r-S3cret-value-2";
const ENV_SECRET = "env-S3cret-value";

let h: SecretsHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** No response body and no log line holds a plaintext secret. */
function expectNoPlaintext(t: SecretsHarness, secrets: string[]): void {
  expect(t.bodies.length).toBeGreaterThan(0);
  expect(t.log.length).toBeGreaterThan(0);
  for (const secret of secrets) {
    for (const body of t.bodies) expect(body, `a response body holds ${secret}`).not.toContain(secret);
    for (const line of t.log) expect(line, `a log line holds ${secret}`).not.toContain(secret);
  }
}

describe("variables API", () => {
  it("creates, lists, gets, patches and deletes variables; sensitive values only as ***", async () => {
    const t = (h = await secretsHarness());
    const plain = await t.call({ method: "POST", url: "/api/v1/variables", payload: { key: "region", value: "eu-west-1", description: "where" } });
    expect(plain.statusCode).toBe(201);
    expect(plain.json()).toMatchObject({
      key: "region",
      value: "eu-west-1",
      sensitive: false,
      description: "where",
      source: "store",
      envVar: "BATON_VAR_REGION",
      readOnly: false,
    });
    const secret = await t.call({ method: "POST", url: "/api/v1/variables", payload: { key: "Slack-API-Key", value: SECRET } });
    expect(secret.statusCode).toBe(201);
    expect(secret.json()).toMatchObject({ key: "Slack-API-Key", value: "***", sensitive: true, description: "" });
    expect((await t.vault.getVariable("Slack-API-Key"))?.value).toBe(SECRET);

    const list = (await t.call("/api/v1/variables")).json().variables;
    expect(list.map((v: { key: string; value: string }) => [v.key, v.value])).toEqual([
      ["Slack-API-Key", "***"],
      ["region", "eu-west-1"],
    ]);
    expect((await t.call("/api/v1/variables/Slack-API-Key")).json()).toMatchObject({ value: "***", sensitive: true });
    expect((await t.call("/api/v1/variables/region")).json()).toMatchObject({ value: "eu-west-1", updatedAt: expect.any(String) });

    const described = await t.call({ method: "PATCH", url: "/api/v1/variables/Slack-API-Key", payload: { description: "for alerts" } });
    expect(described.json()).toMatchObject({ value: "***", description: "for alerts" });
    expect((await t.vault.getVariable("Slack-API-Key"))?.value).toBe(SECRET);
    await t.call({ method: "PATCH", url: "/api/v1/variables/Slack-API-Key", payload: { value: SECRET_2 } });
    expect(await t.vault.getVariable("Slack-API-Key")).toMatchObject({ value: SECRET_2, description: "for alerts" });
    expect((await t.call({ method: "PATCH", url: "/api/v1/variables/region", payload: { value: "" } })).json().value).toBe("");

    expect((await t.call({ method: "DELETE", url: "/api/v1/variables/Slack-API-Key" })).statusCode).toBe(204);
    expect((await t.call("/api/v1/variables/Slack-API-Key")).statusCode).toBe(404);
    expectNoPlaintext(t, [SECRET, SECRET_2]);
  });

  it("answers 400 naming the field, 404 for unknown keys and 409 for an existing key", async () => {
    const t = (h = await secretsHarness());
    await t.call({ method: "POST", url: "/api/v1/variables", payload: { key: "db_password", value: SECRET } });
    const dup = await t.call({ method: "POST", url: "/api/v1/variables", payload: { key: "db_password", value: SECRET_2 } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error.message).toMatch(/variable "db_password" already exists/);
    for (const [payload, field] of [
      [{ key: "has space", value: "x" }, "key"],
      [{ value: "x" }, "key"],
      [{ key: "k" }, "value"],
      [{ key: "k", value: { nested: SECRET } }, "value"],
      [{ key: "k", value: "x", sensitive: true }, "sensitive"],
      [{ key: "k", value: "x".repeat(65_537) }, "value"],
    ] as const) {
      const res = await t.call({ method: "POST", url: "/api/v1/variables", payload });
      expect(res.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
      expect(res.json().error.field, JSON.stringify(payload).slice(0, 80)).toBe(field);
    }
    expect((await t.call({ method: "PATCH", url: "/api/v1/variables/db_password", payload: { key: "x" } })).json().error.field).toBe("key");
    expect((await t.call("/api/v1/variables/nope")).json().error).toMatchObject({
      code: "not_found",
      message: expect.stringContaining("BATON_VAR_NOPE and the store"),
    });
    expect((await t.call({ method: "PATCH", url: "/api/v1/variables/nope", payload: { value: "v" } })).statusCode).toBe(404);
    expect((await t.call({ method: "DELETE", url: "/api/v1/variables/nope" })).statusCode).toBe(404);
    expectNoPlaintext(t, [SECRET, SECRET_2]);
  });

  it("shows variables the environment defines as source env, read-only (409 on every write)", async () => {
    const t = (h = await secretsHarness({ env: { BATON_VAR_API_TOKEN: ENV_SECRET, BATON_VAR_MODE: "fast" } }));
    await t.vault.putVariable("api_token", SECRET, "stored copy");
    const list = (await t.call("/api/v1/variables")).json().variables;
    expect(list).toEqual([
      expect.objectContaining({
        key: "api_token",
        value: "***",
        sensitive: true,
        source: "env",
        envVar: "BATON_VAR_API_TOKEN",
        readOnly: true,
        description: "stored copy",
        updatedAt: null,
      }),
      expect.objectContaining({ key: "mode", value: "fast", source: "env", readOnly: true, updatedAt: null }),
    ]);
    expect((await t.call("/api/v1/variables/mode")).json()).toMatchObject({ value: "fast", source: "env" });
    expect((await t.call("/api/v1/variables/api_token")).json()).toMatchObject({ value: "***", source: "env", description: "stored copy" });
    for (const req of [
      { method: "POST", url: "/api/v1/variables", payload: { key: "api_token", value: "x" } },
      { method: "POST", url: "/api/v1/variables", payload: { key: "mode", value: "x" } },
      { method: "PATCH", url: "/api/v1/variables/api_token", payload: { value: "x" } },
      { method: "DELETE", url: "/api/v1/variables/mode" },
    ] as const) {
      const res = await t.call(req);
      expect(res.statusCode, `${req.method} ${req.url}`).toBe(409);
      expect(res.json().error.message).toMatch(/defined by the environment variable BATON_VAR_(API_TOKEN|MODE), which overrides the store/);
    }
    expect((await t.vault.getVariable("api_token"))?.value).toBe(SECRET);
    expectNoPlaintext(t, [SECRET, ENV_SECRET]);
  });
});

describe("variables roles (required mode)", () => {
  it("needs credentials (401); reading needs op, writing needs admin (403)", async () => {
    const t = (h = await secretsHarness({ mode: "required" }));
    await t.vault.putVariable("db_password", SECRET);
    await t.vault.putVariable("gone", "x");
    const routes = [
      { method: "GET", url: "/api/v1/variables", role: "op" },
      { method: "GET", url: "/api/v1/variables/db_password", role: "op" },
      { method: "POST", url: "/api/v1/variables", role: "admin", payload: { key: "new", value: "v" } },
      { method: "PATCH", url: "/api/v1/variables/db_password", role: "admin", payload: { value: SECRET_2 } },
      { method: "DELETE", url: "/api/v1/variables/gone", role: "admin" },
    ] as const;
    const tokens = { viewer: await t.bearer("viewer"), user: await t.bearer("user"), op: await t.bearer("op"), admin: await t.bearer("admin") };
    const rank = { viewer: 0, user: 1, op: 2, admin: 3 } as const;
    for (const r of routes) {
      const payload = "payload" in r ? { payload: r.payload } : {};
      expect((await t.call({ method: r.method, url: r.url, ...payload })).statusCode, `${r.method} ${r.url} anonymous`).toBe(401);
      for (const role of ["viewer", "user", "op"] as const) {
        if (rank[role] >= rank[r.role]) continue;
        expect((await t.call({ method: r.method, url: r.url, headers: tokens[role], ...payload })).statusCode, `${r.method} ${r.url} as ${role}`).toBe(403);
      }
    }
    for (const r of routes) {
      const payload = "payload" in r ? { payload: r.payload } : {};
      expect(
        (await t.call({ method: r.method, url: r.url, headers: tokens[r.role], ...payload })).statusCode,
        `${r.method} ${r.url} as ${r.role}`,
      ).toBeLessThan(300);
    }
    expect((await t.vault.getVariable("db_password"))?.value).toBe(SECRET_2);
    expectNoPlaintext(t, [SECRET, SECRET_2]);
  });
});
