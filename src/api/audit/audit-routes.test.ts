import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { NewAuditEntry } from "../../core/model/audit.js";
import { apiHarness, type ApiHarness } from "../testing/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness({ mode: "required" });
});
afterEach(async () => {
  await h.close();
});

const T = Date.UTC(2026, 0, 10, 12);
const entry = (action: string, over: Partial<NewAuditEntry> = {}): NewAuditEntry => ({
  at: T,
  actor: { name: "ada", via: "session", tokenId: null },
  action,
  target: { type: "run", id: "r1" },
  dagId: "etl",
  before: { state: "failed" },
  after: { state: "success" },
  details: { method: "PATCH" },
  ...over,
});

describe("GET /api/v1/audit", () => {
  it("is for admins only", async () => {
    for (const role of ["viewer", "user", "op"] as const) {
      expect((await h.app.inject({ url: "/api/v1/audit", headers: await h.bearer(role) })).statusCode, role).toBe(403);
    }
    expect((await h.app.inject({ url: "/api/v1/audit" })).statusCode).toBe(401);
    expect((await h.app.inject({ url: "/api/v1/audit", headers: await h.bearer("admin") })).statusCode).toBe(200);
  });

  it("answers entries newest first with filters, and pages with nextCursor", async () => {
    await h.store.recordAudit(entry("run.trigger", { at: T - 86_400_000 }));
    await h.store.recordAudit(entry("run.mark"));
    await h.store.recordAudit(
      entry("pool.update", { actor: { name: "cli:root", via: "cli", tokenId: null }, dagId: null, target: { type: "pool", id: "gpu" } }),
    );
    await h.store.recordAudit(entry("dag.pause", { at: T + 1000, dagId: "other", target: { type: "dag", id: "other" } }));
    const admin = await h.bearer("admin");
    const get = async (query: string) => {
      const res = await h.app.inject({ url: `/api/v1/audit${query}`, headers: admin });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as { entries: Record<string, unknown>[]; nextCursor: string | null };
    };

    const all = await get("");
    expect(all.entries.map((e) => e.action)).toEqual(["dag.pause", "pool.update", "run.mark", "run.trigger"]);
    expect(all.entries[2]).toEqual({
      id: expect.any(Number),
      at: "2026-01-10T12:00:00.000Z",
      actor: "ada",
      via: "session",
      tokenId: null,
      action: "run.mark",
      targetType: "run",
      targetId: "r1",
      dagId: "etl",
      before: { state: "failed" },
      after: { state: "success" },
      details: { method: "PATCH" },
    });
    expect(all.nextCursor).toBeNull();

    expect((await get("?actor=cli:root")).entries.map((e) => e.action)).toEqual(["pool.update"]);
    expect((await get("?action=run.*")).entries.map((e) => e.action)).toEqual(["run.mark", "run.trigger"]);
    expect((await get("?action=run.mark")).entries.map((e) => e.action)).toEqual(["run.mark"]);
    expect((await get("?dagId=other")).entries.map((e) => e.action)).toEqual(["dag.pause"]);
    expect((await get("?target=gpu")).entries.map((e) => e.action)).toEqual(["pool.update"]);
    expect((await get("?since=2026-01-10")).entries.map((e) => e.action)).toEqual(["dag.pause", "pool.update", "run.mark"]);
    expect((await get("?since=2026-01-10T12:00:00Z&until=2026-01-10T12:00:01Z")).entries.map((e) => e.action)).toEqual(["pool.update", "run.mark"]);
    expect((await get("?until=2026-01-10T13:00%2B02:00")).entries.map((e) => e.action)).toEqual(["run.trigger"]);

    const page1 = await get("?limit=3");
    expect(page1.entries).toHaveLength(3);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = await get(`?limit=3&cursor=${page1.nextCursor}`);
    expect(page2.entries.map((e) => e.action)).toEqual(["run.trigger"]);
    expect(page2.nextCursor).toBeNull();
  });

  it("refuses malformed filters with 400 naming the field", async () => {
    const admin = await h.bearer("admin");
    for (const [query, field] of [
      ["since=yesterday", "since"],
      ["since=2026-02-30", "since"],
      ["until=10/01/2026", "until"],
      ["since=2026-01-02&until=2026-01-01", "until"],
      ["cursor=nope!", "cursor"],
      ["limit=0", "limit"],
      ["action=run*", "action"],
      ["color=red", "color"],
    ] as const) {
      const res = await h.app.inject({ url: `/api/v1/audit?${query}`, headers: admin });
      expect(res.statusCode, query).toBe(400);
      expect(res.json().error, query).toMatchObject({ code: "invalid_input" });
      expect(JSON.stringify(res.json().error), query).toContain(field);
    }
  });

  it("entries cannot be changed or deleted through the API", async () => {
    const { id } = await h.store.recordAudit(entry("run.mark"));
    const admin = await h.bearer("admin");
    for (const method of ["POST", "PUT", "PATCH", "DELETE"] as const) {
      for (const url of ["/api/v1/audit", `/api/v1/audit/${id}`]) {
        const res = await h.app.inject({ method, url, headers: admin, ...(method === "DELETE" ? {} : { payload: { action: "x.y" } }) });
        expect([404, 405], `${method} ${url}`).toContain(res.statusCode);
      }
    }
    expect((await h.store.listAudit({ limit: 10 })).map((e) => ({ id: e.id, action: e.action }))).toEqual([{ id, action: "run.mark" }]);
    const doc = (await h.app.inject({ url: "/api/openapi.json", headers: admin })).json() as { paths: Record<string, Record<string, unknown>> };
    const auditPaths = Object.entries(doc.paths).filter(([p]) => p.startsWith("/api/v1/audit"));
    expect(auditPaths.map(([p, m]) => [p, Object.keys(m)])).toEqual([["/api/v1/audit", ["get"]]]);
  });
});
