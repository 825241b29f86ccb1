import { afterEach, describe, expect, it } from "vitest";
import { probeConnection } from "../../cli/commands/connections.js";
import { secretsHarness, type SecretsHarness } from "../testing/secrets-harness.js";
import { reachable } from "../../../test/support/reachable.js";

const PASSWORD = "pl41n-S3cret-pw";
const TOKEN = "tok-3xtra-s3cret";
const NEW_PASSWORD = "n3w-S3cret-pw-2";
const SECRETS = [PASSWORD, TOKEN, NEW_PASSWORD];

let h: SecretsHarness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** No response body and no log line holds a plaintext secret. */
function expectNoPlaintext(t: SecretsHarness, secrets: string[] = SECRETS): void {
  expect(t.bodies.length).toBeGreaterThan(0);
  expect(t.log.length).toBeGreaterThan(0);
  for (const secret of secrets) {
    for (const body of t.bodies) expect(body, `a response body holds ${secret}`).not.toContain(secret);
    for (const line of t.log) expect(line, `a log line holds ${secret}`).not.toContain(secret);
  }
}

const warehouse = {
  id: "wh",
  type: "postgres",
  host: "db.internal",
  port: 5432,
  login: "etl",
  password: PASSWORD,
  schema: "analytics",
  extra: { sslmode: "require", api_token: TOKEN },
  description: "the warehouse",
};

describe("connections API", () => {
  it("creates, lists, gets, patches and deletes a connection without ever answering its secrets", async () => {
    const t = (h = await secretsHarness());
    const created = await t.call({ method: "POST", url: "/api/v1/connections", payload: warehouse });
    expect(created.statusCode).toBe(201);
    const shown = {
      id: "wh",
      type: "postgres",
      host: "db.internal",
      port: 5432,
      login: "etl",
      hasPassword: true,
      schema: "analytics",
      extra: { sslmode: "require", api_token: "***" },
      description: "the warehouse",
      source: "store",
      envVar: "BATON_CONN_WH",
      readOnly: false,
    };
    expect(created.json()).toMatchObject(shown);
    expect(created.json()).not.toHaveProperty("password");
    // Stored encrypted, readable by tasks.
    expect((await t.vault.getConnection("wh"))?.connection).toMatchObject({ password: PASSWORD, extra: { api_token: TOKEN } });

    const list = await t.call("/api/v1/connections");
    expect(list.statusCode).toBe(200);
    expect(list.json().connections).toEqual([expect.objectContaining(shown)]);
    expect((await t.call("/api/v1/connections/wh")).json()).toMatchObject(shown);

    // An update without a password keeps it; sensitive extras sent back as *** keep theirs.
    const patched = await t.call({
      method: "PATCH",
      url: "/api/v1/connections/wh",
      payload: { host: "db2.internal", extra: { sslmode: "disable", api_token: "***" } },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      host: "db2.internal",
      hasPassword: true,
      extra: { sslmode: "disable", api_token: "***" },
      description: "the warehouse",
    });
    expect((await t.vault.getConnection("wh"))?.connection).toMatchObject({
      host: "db2.internal",
      password: PASSWORD,
      extra: { sslmode: "disable", api_token: TOKEN },
    });

    await t.call({ method: "PATCH", url: "/api/v1/connections/wh", payload: { password: NEW_PASSWORD, description: "moved" } });
    expect((await t.vault.getConnection("wh"))?.connection.password).toBe(NEW_PASSWORD);
    const cleared = await t.call({ method: "PATCH", url: "/api/v1/connections/wh", payload: { password: null, port: null } });
    expect(cleared.json()).toMatchObject({ hasPassword: false, port: null, description: "moved" });
    expect((await t.vault.getConnection("wh"))?.connection.password).toBeNull();

    expect((await t.call({ method: "DELETE", url: "/api/v1/connections/wh" })).statusCode).toBe(204);
    expect((await t.call("/api/v1/connections/wh")).statusCode).toBe(404);
    expect((await t.call("/api/v1/connections")).json()).toEqual({ connections: [] });
    expectNoPlaintext(t);
  });

  it("accepts a URI instead of the fields", async () => {
    const t = (h = await secretsHarness());
    const res = await t.call({
      method: "POST",
      url: "/api/v1/connections",
      payload: { id: "my-db.1", uri: `mysql://root:${encodeURIComponent(PASSWORD)}@127.0.0.1:3306/app?charset=utf8` },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      id: "my-db.1",
      type: "mysql",
      host: "127.0.0.1",
      port: 3306,
      login: "root",
      hasPassword: true,
      schema: "app",
      extra: { charset: "utf8" },
      envVar: "BATON_CONN_MY_DB_1",
    });
    expect((await t.vault.getConnection("my-db.1"))?.connection.password).toBe(PASSWORD);
    expectNoPlaintext(t);
  });

  it("answers 400 naming the field, 404 for unknown ids and 409 for an existing id", async () => {
    const t = (h = await secretsHarness());
    await t.call({ method: "POST", url: "/api/v1/connections", payload: warehouse });
    const dup = await t.call({ method: "POST", url: "/api/v1/connections", payload: { ...warehouse, password: NEW_PASSWORD } });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().error).toMatchObject({ code: "conflict", message: expect.stringContaining('connection "wh" already exists') });
    for (const [payload, field] of [
      [{ id: "has space", type: "postgres" }, "id"],
      [{ type: "postgres" }, "id"],
      [{ id: "x" }, "type"],
      [{ id: "x", type: "postgres", uri: "postgres://h/db" }, "type"],
      [{ id: "x", type: "1nvalid" }, "type"],
      [{ id: "x", type: "postgres", port: 70000 }, "port"],
      [{ id: "x", type: "postgres", port: "many" }, "port"],
      [{ id: "x", type: "postgres", extra: { n: { deep: 1 } } }, "extra.n"],
      [{ id: "x", type: "postgres", passwrd: PASSWORD }, "passwrd"],
      [{ id: "x", uri: `not a uri ${PASSWORD}` }, "uri"],
      [{ id: "x", uri: "postgres://h:99999/db" }, "uri"],
      [{ id: "x", uri: "postgres://h/db", password: PASSWORD }, "uri"],
    ] as const) {
      const res = await t.call({ method: "POST", url: "/api/v1/connections", payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.field, JSON.stringify(payload)).toBe(field);
    }
    const badPatch = await t.call({ method: "PATCH", url: "/api/v1/connections/wh", payload: { host: { name: "h" } } });
    expect(badPatch.json().error.field).toBe("host");
    expect((await t.call({ method: "PATCH", url: "/api/v1/connections/wh", payload: { id: "other" } })).json().error.field).toBe("id");
    expect((await t.call("/api/v1/connections/nope")).statusCode).toBe(404);
    expect((await t.call("/api/v1/connections/nope")).json().error.message).toMatch(/BATON_CONN_NOPE and the store/);
    expect((await t.call({ method: "PATCH", url: "/api/v1/connections/nope", payload: { host: "h" } })).statusCode).toBe(404);
    expect((await t.call({ method: "DELETE", url: "/api/v1/connections/nope" })).statusCode).toBe(404);
    expect((await t.call({ method: "POST", url: "/api/v1/connections/nope/test" })).statusCode).toBe(404);
    expect((await t.call("/api/v1/connections/bad%20id")).json().error.field).toBe("id");
    expectNoPlaintext(t);
  });

  it("shows connections the environment defines as source env, read-only (409 on every write)", async () => {
    const t = (h = await secretsHarness({
      env: {
        BATON_CONN_WH: `postgres://etl:${PASSWORD}@envhost:5433/ana`,
        BATON_CONN_ONLY_ENV: `mysql://u:${NEW_PASSWORD}@m/db`,
        BATON_CONN_BROKEN: `no scheme ${TOKEN}`,
      },
    }));
    await t.vault.putConnection(
      { id: "wh", type: "postgres", host: "stored", port: null, login: null, password: TOKEN, schema: null, extra: {} },
      "stored copy",
    );
    const list = (await t.call("/api/v1/connections")).json().connections;
    expect(list).toEqual([
      expect.objectContaining({ id: "broken", type: "invalid-uri", hasPassword: false, source: "env", envVar: "BATON_CONN_BROKEN" }),
      expect.objectContaining({
        id: "only_env",
        type: "mysql",
        hasPassword: true,
        source: "env",
        envVar: "BATON_CONN_ONLY_ENV",
        readOnly: true,
        updatedAt: null,
      }),
      expect.objectContaining({
        id: "wh",
        host: "envhost",
        port: 5433,
        hasPassword: true,
        source: "env",
        readOnly: true,
        description: "stored copy",
        updatedAt: null,
      }),
    ]);
    const broken = await t.call("/api/v1/connections/broken");
    expect(broken.statusCode).toBe(400);
    expect(broken.json().error.message).toMatch(/^connection "broken": invalid URI/);
    expect((await t.call("/api/v1/connections/wh")).json()).toMatchObject({
      host: "envhost",
      source: "env",
      readOnly: true,
      description: "stored copy",
      updatedAt: null,
    });
    for (const req of [
      { method: "POST", url: "/api/v1/connections", payload: { id: "wh", type: "http" } },
      { method: "POST", url: "/api/v1/connections", payload: { id: "only_env", type: "http" } },
      { method: "PATCH", url: "/api/v1/connections/wh", payload: { host: "x" } },
      { method: "DELETE", url: "/api/v1/connections/wh" },
    ] as const) {
      const res = await t.call(req);
      expect(res.statusCode, `${req.method} ${req.url}`).toBe(409);
      expect(res.json().error.message).toMatch(
        /defined by the environment variable BATON_CONN_(WH|ONLY_ENV), which overrides the store; it is read-only through the API/,
      );
    }
    expect((await t.vault.getConnection("wh"))?.connection.host).toBe("stored");
    expectNoPlaintext(t);
  });

  it("tests a connection with the CLI's check, masking secrets in the reason", async () => {
    const t = (h = await secretsHarness({ check: probeConnection }));
    await t.vault.putConnection({
      id: "lite",
      type: "sqlite",
      host: null,
      port: null,
      login: null,
      password: PASSWORD,
      schema: `/nonexistent/${PASSWORD}.db`,
      extra: {},
    });
    await t.vault.putConnection({ id: "ftp", type: "ftp", host: "h", port: null, login: null, password: PASSWORD, schema: null, extra: {} });
    const failed = await t.call({ method: "POST", url: "/api/v1/connections/lite/test" });
    expect(failed.statusCode).toBe(200);
    expect(failed.json()).toMatchObject({ id: "lite", ok: false, supported: true, error: "no such file: /nonexistent/***.db" });
    expect(failed.json().durationMs).toBeGreaterThanOrEqual(0);
    const unsupported = (await t.call({ method: "POST", url: "/api/v1/connections/ftp/test" })).json();
    expect(unsupported).toMatchObject({ ok: false, supported: false, error: expect.stringMatching(/^no test for type ftp \(tests exist for: postgres/) });
    expectNoPlaintext(t);
  });

  it("tests a PostgreSQL connection against the real server", async (ctx) => {
    const down = await reachable(5432);
    if (down) {
      console.warn(`skipping PostgreSQL connection test: ${down}`);
      return ctx.skip();
    }
    const t = (h = await secretsHarness({ check: probeConnection }));
    await t.call({
      method: "POST",
      url: "/api/v1/connections",
      payload: { id: "pg", type: "postgres", host: "127.0.0.1", port: 5432, login: "postgres", password: PASSWORD, schema: "test" },
    });
    await t.call({
      method: "POST",
      url: "/api/v1/connections",
      payload: { id: "pg_bad", type: "postgres", host: "127.0.0.1", port: 5432, login: "postgres", schema: "no_such_db_xyz" },
    });
    expect((await t.call({ method: "POST", url: "/api/v1/connections/pg/test" })).json()).toMatchObject({ id: "pg", ok: true, supported: true, error: null });
    const bad = (await t.call({ method: "POST", url: "/api/v1/connections/pg_bad/test" })).json();
    expect(bad).toMatchObject({ ok: false, supported: true, error: expect.stringContaining("no_such_db_xyz") });
    expectNoPlaintext(t);
  });

  it("answers 404 on a server composed without a secret store", async () => {
    const { apiHarness } = await import("../testing/api-harness.js");
    const plain = await apiHarness();
    try {
      const res = await plain.app.inject("/api/v1/connections");
      expect(res.statusCode).toBe(404);
      expect(res.json().error.message).toMatch(/not available on this server/);
    } finally {
      await plain.close();
    }
  });
});

describe("connections roles (required mode)", () => {
  it("needs credentials (401); reading and testing need op, writing needs admin (403)", async () => {
    const t = (h = await secretsHarness({ mode: "required" }));
    await t.vault.putConnection({ id: "wh", type: "postgres", host: "h", port: null, login: "u", password: PASSWORD, schema: null, extra: {} });
    const routes = [
      { method: "GET", url: "/api/v1/connections", role: "op" },
      { method: "GET", url: "/api/v1/connections/wh", role: "op" },
      { method: "POST", url: "/api/v1/connections/wh/test", role: "op" },
      { method: "POST", url: "/api/v1/connections", role: "admin", payload: { id: "new", type: "http", host: "h" } },
      { method: "PATCH", url: "/api/v1/connections/wh", role: "admin", payload: { host: "h2" } },
      { method: "DELETE", url: "/api/v1/connections/wh", role: "admin" },
    ] as const;
    const tokens = { viewer: await t.bearer("viewer"), user: await t.bearer("user"), op: await t.bearer("op"), admin: await t.bearer("admin") };
    const rank = { viewer: 0, user: 1, op: 2, admin: 3 } as const;
    for (const r of routes) {
      const payload = "payload" in r ? { payload: r.payload } : {};
      const anonymous = await t.call({ method: r.method, url: r.url, ...payload });
      expect(anonymous.statusCode, `${r.method} ${r.url} anonymous`).toBe(401);
      for (const role of ["viewer", "user", "op"] as const) {
        if (rank[role] >= rank[r.role]) continue;
        const res = await t.call({ method: r.method, url: r.url, headers: tokens[role], ...payload });
        expect(res.statusCode, `${r.method} ${r.url} as ${role}`).toBe(403);
      }
    }
    for (const r of routes) {
      const payload = "payload" in r ? { payload: r.payload } : {};
      const res = await t.call({ method: r.method, url: r.url, headers: tokens[r.role], ...payload });
      expect(res.statusCode, `${r.method} ${r.url} as ${r.role}`).toBeLessThan(300);
    }
    expectNoPlaintext(t, [PASSWORD]);
  });
});
