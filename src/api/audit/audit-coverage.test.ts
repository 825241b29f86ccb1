import { createHmac, randomBytes } from "node:crypto";
import type { InjectOptions } from "fastify";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { NotFoundError } from "../../core/errors.js";
import type { AuditEntry } from "../../core/model/audit.js";
import type { SecretsAdmin } from "../api-deps.js";
import { SecretCipher } from "../../secrets/secret-cipher.js";
import { SecretVault } from "../../secrets/secret-vault.js";
import { createApiToken } from "../auth/index.js";
import { createWorkerToken } from "../auth/worker-token.js";
import { apiHarness, etlSpec, type ApiHarness } from "../testing/api-harness.js";

/** Values that must never appear in an audit entry. */
const SECRETS = {
  connPassword: "hunter2-conn-password",
  connPassword2: "hunter3-new-password",
  extraKey: "extra-api-key-value",
  variable: "variable-secret-value",
  userPassword: "user-password-123456",
  webhook: "webhook-signing-secret",
  confToken: "conf-token-value",
};

let h: ApiHarness;
let admin: Record<string, string>;
const tokensSeen: string[] = [];

beforeEach(async () => {
  const cipher = new SecretCipher(randomBytes(32));
  let vault: SecretVault | undefined;
  const secretsAdmin: SecretsAdmin = {
    vault: () => (vault ??= new SecretVault(h.store, cipher)),
    env: {},
    check: async () => ({ ok: true, supported: true, error: null }),
  };
  h = await apiHarness({
    mode: "local",
    secretsAdmin,
    secrets: {
      connection: (id) => Promise.reject(new NotFoundError(`connection "${id}" not found`)),
      variable: (key) => (key === "webhook_secret_etl" ? Promise.resolve(SECRETS.webhook) : Promise.reject(new NotFoundError(key))),
    },
  });
  admin = await h.bearer("admin");
  tokensSeen.push(admin.authorization!.slice("Bearer ".length));
});
afterEach(async () => {
  await h.close();
});

type Call = InjectOptions & { url: string };
const json = (method: InjectOptions["method"], url: string, payload?: object, headers?: Record<string, string>): Call => ({
  method,
  url,
  ...(payload === undefined ? {} : { payload }),
  headers: { ...admin, ...headers },
});

async function ok(call: Call): Promise<Record<string, unknown>> {
  const res = await h.app.inject(call);
  expect(res.statusCode, `${call.method} ${call.url}: ${res.body}`).toBeLessThan(300);
  return res.body === "" ? {} : (res.json() as Record<string, unknown>);
}

const trigger = async () => (await ok(json("POST", "/api/v1/dags/etl/runs", { conf: {}, runId: fresh("r") }))).runId as string;
let counter = 0;
/** A fresh name: the cases share one server. */
const fresh = (prefix: string) => `${prefix}${++counter}`;
const connectionBody = (id: string) => ({ id, uri: `postgres://etl:${SECRETS.connPassword}@db:5432/dw?api_key=${SECRETS.extraKey}` });
const createConnection = async () => {
  const id = fresh("warehouse");
  await ok(json("POST", "/api/v1/connections", connectionBody(id)));
  return id;
};
const createUser = async () => {
  const username = fresh("bob");
  await ok(json("POST", "/api/v1/users", { username, password: SECRETS.userPassword, role: "user" }));
  return username;
};
const createPool = async () => {
  const name = fresh("gpu");
  await ok(json("POST", "/api/v1/pools", { name, slots: 2 }));
  return name;
};
const createVariable = async (value: string) => {
  const key = fresh("api_token_");
  await ok(json("POST", "/api/v1/variables", { key, value }));
  return key;
};

/**
 * How to call each state-changing operation successfully, keyed "METHOD path" as in the OpenAPI
 * document, with the action its audit entry must carry. A new route fails the test below until
 * it is added here (and gets `config.audit`).
 */
const CASES: Record<string, { action: string; call: () => Promise<Call> }> = {
  "POST /api/v1/auth/login": {
    action: "login.success",
    call: async () => {
      const username = await createUser();
      return { method: "POST", url: "/api/v1/auth/login", payload: { username, password: SECRETS.userPassword } };
    },
  },
  "POST /api/v1/auth/logout": { action: "logout", call: async () => json("POST", "/api/v1/auth/logout") },
  "POST /api/v1/auth/tokens": { action: "token.create", call: async () => json("POST", "/api/v1/auth/tokens", { name: "ci" }) },
  "DELETE /api/v1/auth/tokens/{id}": {
    action: "token.delete",
    call: async () => {
      const { record, token } = await createApiToken(h.store, "admin-user", "old", "viewer", null, h.clock.now);
      tokensSeen.push(token);
      return json("DELETE", `/api/v1/auth/tokens/${record.id}`);
    },
  },
  "POST /api/v1/worker-tokens": {
    action: "worker_token.create",
    call: async () => json("POST", "/api/v1/worker-tokens", { name: fresh("gpu-box"), queues: ["gpu"] }),
  },
  "DELETE /api/v1/worker-tokens/{id}": {
    action: "worker_token.revoke",
    call: async () => {
      const { record, token } = await createWorkerToken(h.store.workers, { name: fresh("old-box"), queues: null, createdBy: "admin-user" }, h.clock.now);
      tokensSeen.push(token);
      return json("DELETE", `/api/v1/worker-tokens/${record.id}`);
    },
  },
  "POST /api/v1/users": {
    action: "user.create",
    call: async () => json("POST", "/api/v1/users", { username: fresh("carol"), password: SECRETS.userPassword, role: "viewer" }),
  },
  "PATCH /api/v1/users/{username}": {
    action: "user.update",
    call: async () => {
      return json("PATCH", `/api/v1/users/${await createUser()}`, { role: "op", password: `${SECRETS.userPassword}-2` });
    },
  },
  "DELETE /api/v1/users/{username}": {
    action: "user.delete",
    call: async () => {
      return json("DELETE", `/api/v1/users/${await createUser()}`);
    },
  },
  "PATCH /api/v1/dags/{dagId}": { action: "dag.pause", call: async () => json("PATCH", "/api/v1/dags/etl", { paused: true }) },
  "DELETE /api/v1/dags/{dagId}": {
    action: "dag.delete",
    call: async () => {
      const dagId = fresh("gone");
      await h.store.saveDagVersion({ versionHash: `${dagId}-v1`, dagId, spec: { ...etlSpec(), dagId }, source: "", bundlePath: "/b/gone.mjs", createdAt: 0 });
      return json("DELETE", `/api/v1/dags/${dagId}`);
    },
  },
  "POST /api/v1/dags/{dagId}/runs": {
    action: "run.trigger",
    call: async () => json("POST", "/api/v1/dags/etl/runs", { conf: { n: 2, apiToken: SECRETS.confToken }, runId: fresh("r") }),
  },
  "PATCH /api/v1/dags/{dagId}/runs/{runId}": {
    action: "run.mark",
    call: async () => json("PATCH", `/api/v1/dags/etl/runs/${await trigger()}`, { state: "success" }),
  },
  "POST /api/v1/dags/{dagId}/runs/{runId}/clear": { action: "run.clear", call: async () => json("POST", `/api/v1/dags/etl/runs/${await trigger()}/clear`, {}) },
  "POST /api/v1/dags/{dagId}/runs/{runId}/cancel": { action: "run.cancel", call: async () => json("POST", `/api/v1/dags/etl/runs/${await trigger()}/cancel`) },
  "PATCH /api/v1/dags/{dagId}/runs/{runId}/tasks/{taskId}": {
    action: "task.mark",
    call: async () => json("PATCH", `/api/v1/dags/etl/runs/${await trigger()}/tasks/extract`, { state: "failed" }),
  },
  "POST /api/v1/dags/{dagId}/runs/{runId}/tasks/{taskId}/clear": {
    action: "task.clear",
    call: async () => json("POST", `/api/v1/dags/etl/runs/${await trigger()}/tasks/extract/clear`, { downstream: true }),
  },
  "POST /api/v1/dags/{dagId}/webhook": {
    action: "run.trigger",
    call: async () => {
      const body = JSON.stringify({ n: 3 });
      const signature = `sha256=${createHmac("sha256", SECRETS.webhook).update(body).digest("hex")}`;
      return {
        method: "POST",
        url: "/api/v1/dags/etl/webhook",
        payload: body,
        headers: { "content-type": "application/json", "x-baton-signature": signature },
      };
    },
  },
  "POST /api/v1/backfills": {
    action: "backfill.create",
    call: async () => json("POST", "/api/v1/backfills", { dagId: "etl", from: "2025-01-01", to: "2025-01-01T03:00Z" }),
  },
  "POST /api/v1/backfills/{id}/cancel": {
    action: "backfill.cancel",
    call: async () => {
      const b = await ok(json("POST", "/api/v1/backfills", { dagId: "etl", from: "2025-01-01", to: "2025-01-01T03:00Z" }));
      return json("POST", `/api/v1/backfills/${String(b.id)}/cancel`);
    },
  },
  "POST /api/v1/backfills/{id}/pause": {
    action: "backfill.pause",
    call: async () => {
      const b = await ok(json("POST", "/api/v1/backfills", { dagId: "etl", from: "2025-01-01", to: "2025-01-01T03:00Z" }));
      return json("POST", `/api/v1/backfills/${String(b.id)}/pause`);
    },
  },
  "POST /api/v1/backfills/{id}/unpause": {
    action: "backfill.unpause",
    call: async () => {
      const b = await ok(json("POST", "/api/v1/backfills", { dagId: "etl", from: "2025-01-01", to: "2025-01-01T03:00Z" }));
      return json("POST", `/api/v1/backfills/${String(b.id)}/unpause`);
    },
  },
  "POST /api/v1/pools": { action: "pool.create", call: async () => json("POST", "/api/v1/pools", { name: fresh("gpu"), slots: 2 }) },
  "PATCH /api/v1/pools/{name}": {
    action: "pool.update",
    call: async () => {
      return json("PATCH", `/api/v1/pools/${await createPool()}`, { slots: 4 });
    },
  },
  "DELETE /api/v1/pools/{name}": {
    action: "pool.delete",
    call: async () => {
      return json("DELETE", `/api/v1/pools/${await createPool()}`);
    },
  },
  "POST /api/v1/datasets/events": {
    action: "dataset.event",
    call: async () => json("POST", "/api/v1/datasets/events", { uri: "s3://bucket/sales", extra: { rows: 3 } }),
  },
  "POST /api/v1/connections": {
    action: "connection.create",
    call: async () => json("POST", "/api/v1/connections", connectionBody(fresh("warehouse"))),
  },
  "PATCH /api/v1/connections/{id}": {
    action: "connection.update",
    call: async () => {
      return json("PATCH", `/api/v1/connections/${await createConnection()}`, { password: SECRETS.connPassword2, host: "db2" });
    },
  },
  "DELETE /api/v1/connections/{id}": {
    action: "connection.delete",
    call: async () => {
      return json("DELETE", `/api/v1/connections/${await createConnection()}`);
    },
  },
  "POST /api/v1/connections/{id}/test": {
    action: "connection.test",
    call: async () => {
      return json("POST", `/api/v1/connections/${await createConnection()}/test`);
    },
  },
  "POST /api/v1/variables": {
    action: "variable.create",
    call: async () => json("POST", "/api/v1/variables", { key: fresh("api_token_"), value: SECRETS.variable }),
  },
  "PATCH /api/v1/variables/{key}": {
    action: "variable.update",
    call: async () => {
      return json("PATCH", `/api/v1/variables/${await createVariable("first-value")}`, { value: SECRETS.variable });
    },
  },
  "DELETE /api/v1/variables/{key}": {
    action: "variable.delete",
    call: async () => {
      return json("DELETE", `/api/v1/variables/${await createVariable(SECRETS.variable)}`);
    },
  },
};

const MUTATING = ["post", "put", "patch", "delete"];

async function mutatingOperations(): Promise<string[]> {
  const doc = (await h.app.inject({ url: "/api/openapi.json", headers: admin })).json() as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.keys(methods)
      .filter((m) => MUTATING.includes(m))
      .map((m) => `${m.toUpperCase()} ${path}`),
  );
}

const lastId = async () => (await h.store.listAudit({ limit: 1 }))[0]?.id ?? 0;

describe("audit coverage", () => {
  it("every state-changing operation of the OpenAPI document leaves an audit entry with its action, and no secret", async () => {
    const operations = await mutatingOperations();
    expect(operations.length).toBeGreaterThanOrEqual(Object.keys(CASES).length);
    const missing = operations.filter((op) => CASES[op] === undefined);
    expect(missing, "state-changing operations without a case here: add one (and give the route config.audit)").toEqual([]);

    const all: AuditEntry[] = [];
    for (const op of operations) {
      const c = CASES[op]!;
      const call = await c.call();
      const since = await lastId();
      const answer = await ok(call);
      if (typeof answer.token === "string") tokensSeen.push(answer.token);
      const entries = (await h.store.listAudit({ limit: 50 })).filter((e) => e.id > since);
      expect(
        entries.map((e) => e.action),
        `${op} left no ${c.action} entry`,
      ).toContain(c.action);
      const entry = entries.find((e) => e.action === c.action)!;
      expect(entry.details, op).toMatchObject({ method: call.method, status: expect.any(Number) });
      all.push(...entries);
    }
    const text = JSON.stringify(all);
    for (const secret of [...Object.values(SECRETS), ...tokensSeen]) expect(text, "an audit entry holds a secret").not.toContain(secret);
    expect(text).not.toContain("scrypt$");
  });

  it("records who, the target and before/after values", async () => {
    const paused = await ok(json("PATCH", "/api/v1/dags/etl", { paused: true }));
    expect(paused.paused).toBe(true);
    await ok(json("PATCH", "/api/v1/dags/etl", { paused: false }));
    const [unpause, pause] = await h.store.listAudit({ limit: 2 });
    expect(pause).toMatchObject({
      action: "dag.pause",
      actor: { name: "admin-user", via: "token" },
      target: { type: "dag", id: "etl" },
      dagId: "etl",
      before: { paused: false },
      after: { paused: true },
    });
    expect(pause!.actor.tokenId).toMatch(/^[0-9a-f]{12}$/);
    expect(unpause).toMatchObject({ action: "dag.unpause", before: { paused: true }, after: { paused: false } });

    // Local mode without credentials acts as "local"; the run records who triggered it.
    const run = await ok({ method: "POST", url: "/api/v1/dags/etl/runs", payload: { conf: { n: 4, apiToken: SECRETS.confToken } } });
    expect(run.triggeredBy).toBe("local");
    const [trig] = await h.store.listAudit({ limit: 1, action: "run.trigger" });
    expect(trig).toMatchObject({
      actor: { name: "local", via: "local", tokenId: null },
      target: { type: "run", id: run.runId },
      after: { conf: { n: 4, apiToken: "***" } },
    });

    const pool = await createPool();
    await ok(json("PATCH", `/api/v1/pools/${pool}`, { slots: 5 }));
    const [update] = await h.store.listAudit({ limit: 1, action: "pool.update" });
    expect(update).toMatchObject({ target: { type: "pool", id: pool }, before: { slots: 2 }, after: { slots: 5 } });

    await ok(json("PATCH", `/api/v1/connections/${await createConnection()}`, { password: SECRETS.connPassword2 }));
    const [conn] = await h.store.listAudit({ limit: 1, action: "connection.update" });
    expect(conn).toMatchObject({ before: { host: "db", hasPassword: true, extra: { api_key: "***" } }, details: { passwordChanged: true } });
  });

  it("a failed request leaves no entry; a failed login does, without the password", async () => {
    const before = await lastId();
    expect((await h.app.inject(json("PATCH", "/api/v1/pools/none", { slots: 1 }))).statusCode).toBe(404);
    expect((await h.app.inject({ method: "POST", url: "/api/v1/dags/etl/runs", payload: {}, headers: await h.bearer("viewer") })).statusCode).toBe(403);
    expect(await lastId()).toBe(before);

    const bob = await createUser();
    const res = await h.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username: bob, password: "not-the-password-77" } });
    expect(res.statusCode).toBe(401);
    const [failure] = await h.store.listAudit({ limit: 1 });
    expect(failure).toMatchObject({
      action: "login.failure",
      actor: { name: bob, via: "login" },
      target: { type: "user", id: bob },
      details: { reason: "wrong password", status: 401 },
    });
    await h.app.inject({ method: "POST", url: "/api/v1/auth/login", payload: { username: "ghost", password: "not-the-password-78" } });
    expect((await h.store.listAudit({ limit: 1 }))[0]).toMatchObject({ action: "login.failure", details: { reason: "unknown user" } });
    expect(JSON.stringify(await h.store.listAudit({ limit: 100 }))).not.toMatch(/not-the-password/);
  });
});
