import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiHarness, type ApiHarness } from "./testing/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness({ mode: "required" });
});
afterEach(async () => {
  await h.close();
});

/** Connections and variables: reading needs op, writing admin (routes/connections.test.ts, routes/variables.test.ts). */
const SECRET_ROUTES = /^\/api\/v1\/(connections|variables)(\/|$)/;
/** The audit trail and worker tokens: admins only (audit/audit-routes.test.ts, routes/workers.test.ts). */
const ADMIN_READS = new Set(["GET /api/v1/audit", "GET /api/v1/worker-tokens"]);
/** Worker tokens: every method needs admin (routes/workers.test.ts). */
const ADMIN_ROUTES = /^\/api\/v1\/worker-tokens(\/|$)/;
const OP_ROUTES = new Set([
  "POST /api/v1/backfills",
  "POST /api/v1/backfills/{id}/cancel",
  "POST /api/v1/backfills/{id}/pause",
  "POST /api/v1/backfills/{id}/unpause",
  "POST /api/v1/pools",
  "PATCH /api/v1/pools/{name}",
  "DELETE /api/v1/pools/{name}",
  "DELETE /api/v1/dags/{dagId}",
]);

/** Every route of this module, read from the OpenAPI document (auth and users routes are the auth module's). */
async function routes(): Promise<{ method: string; path: string; url: string }[]> {
  const doc = (await h.app.inject({ url: "/api/openapi.json", headers: await h.bearer("viewer") })).json() as {
    paths: Record<string, Record<string, unknown>>;
  };
  const out = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (path.startsWith("/api/v1/auth") || path.startsWith("/api/v1/users") || path === "/api/v1/health") continue;
    const url = path.replace("{id}", "1").replace(/\{(\w+)\}/g, "$1");
    for (const method of Object.keys(methods)) out.push({ method: method.toUpperCase(), path, url });
  }
  return out;
}

describe("roles (required mode)", () => {
  it("every route answers 401 without credentials", async () => {
    const all = await routes();
    expect(all.length).toBeGreaterThanOrEqual(26);
    for (const r of all) {
      const res = await h.app.inject({ method: r.method as "GET", url: r.url, ...(r.method === "GET" || r.method === "DELETE" ? {} : { payload: {} }) });
      expect(res.statusCode, `${r.method} ${r.path}`).toBe(401);
      expect(res.json().error.code).toBe("unauthorized");
    }
  });

  it("a viewer token reads but gets 403 on every mutation; a user gets 403 on op routes", async () => {
    const viewer = await h.bearer("viewer");
    const user = await h.bearer("user");
    for (const r of await routes()) {
      const key = `${r.method} ${r.path}`;
      if (key === "GET /api/v1/events") continue; // an open stream; see routes/events.test.ts
      if (key === "POST /api/v1/dags/{dagId}/webhook") continue; // public: the signature is the auth; see routes/webhooks.test.ts
      const payload = r.method === "GET" || r.method === "DELETE" ? {} : { payload: {} };
      const asViewer = await h.app.inject({ method: r.method as "GET", url: r.url, headers: viewer, ...payload });
      if (r.method === "GET" && !SECRET_ROUTES.test(r.path) && !ADMIN_READS.has(key)) expect(asViewer.statusCode, key).not.toBe(403);
      else expect(asViewer.statusCode, key).toBe(403);
      if (OP_ROUTES.has(key) || SECRET_ROUTES.test(r.path) || ADMIN_READS.has(key) || ADMIN_ROUTES.test(r.path)) {
        const asUser = await h.app.inject({ method: r.method as "GET", url: r.url, headers: user, ...payload });
        expect(asUser.statusCode, key).toBe(403);
      }
    }
  });

  it("a user token triggers runs and an op token manages pools", async () => {
    const run = await h.app.inject({ method: "POST", url: "/api/v1/dags/etl/runs", headers: await h.bearer("user"), payload: {} });
    expect(run.statusCode).toBe(201);
    const pool = await h.app.inject({ method: "POST", url: "/api/v1/pools", headers: await h.bearer("op"), payload: { name: "p", slots: 1 } });
    expect(pool.statusCode).toBe(201);
    const cmd = await h.app.inject({
      method: "POST",
      url: `/api/v1/dags/etl/runs/${encodeURIComponent(run.json().runId)}/cancel`,
      headers: await h.bearer("user"),
    });
    expect(cmd.statusCode).toBe(202);
    expect((await h.store.getCommand(cmd.json().commandId))?.requestedBy).toBe("user-user");
  });
});
