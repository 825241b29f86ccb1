import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeDag, makeTask } from "../../core/testing/spec-builders.js";
import { newRun } from "../../store/contract/fixtures.js";
import { apiHarness, NOW, type ApiHarness } from "../testing/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});
afterEach(async () => {
  await h.close();
});

describe("GET /api/v1/dags", () => {
  it("lists active DAGs with summary fields and recent runs", async () => {
    await h.store.createRun(newRun("etl", "r1", { dagVersion: "etl-v1", logicalDate: NOW }), []);
    const res = await h.app.inject("/api/v1/dags");
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.total).toBe(2);
    expect(body.dags.map((d: { dagId: string }) => d.dagId)).toEqual(["etl", "other"]);
    expect(body.dags[0]).toMatchObject({
      dagId: "etl",
      schedule: "0 * * * *",
      timezone: "UTC",
      paused: false,
      taskCount: 3,
      version: "etl-v1",
      recentRuns: [{ runId: "r1", state: "queued", logicalDate: new Date(NOW).toISOString() }],
    });
    expect(body.dags[0].nextRunAfter).toBe("2025-06-01T12:00:00.000Z");
  });

  it("lists a DAG whose schedule cannot be computed (bad time zone) with nextRunAfter null", async () => {
    const res = await h.app.inject("/api/v1/dags?tag=misc");
    expect(res.statusCode).toBe(200);
    expect(res.json().dags[0]).toMatchObject({ dagId: "other", timezone: "Europe/Zürich", nextRunAfter: null });
  });

  it("filters by search, tag and paused, and pages with limit/offset", async () => {
    await h.store.setDagPaused("other", true);
    const q = async (qs: string) => (await h.app.inject(`/api/v1/dags?${qs}`)).json();
    expect((await q("search=ET")).dags.map((d: { dagId: string }) => d.dagId)).toEqual(["etl"]);
    expect((await q("tag=misc")).dags.map((d: { dagId: string }) => d.dagId)).toEqual(["other"]);
    expect((await q("paused=true")).dags.map((d: { dagId: string }) => d.dagId)).toEqual(["other"]);
    expect((await q("paused=true")).dags[0].nextRunAfter).toBeNull();
    const page = await q("limit=1&offset=1");
    expect(page).toMatchObject({ total: 2, dags: [{ dagId: "other" }] });
  });

  it("rejects bad query values naming the field", async () => {
    for (const [qs, field] of [
      ["limit=0", "limit"],
      ["limit=99999999999999999999", "limit"],
      ["offset=-1", "offset"],
      ["paused=maybe", "paused"],
    ] as const) {
      const res = await h.app.inject(`/api/v1/dags?${qs}`);
      expect(res.statusCode, qs).toBe(400);
      expect(res.json().error).toMatchObject({ code: "invalid_input", field });
    }
  });
});

describe("GET /api/v1/dags/:dagId", () => {
  it("returns the detail with params and tasks", async () => {
    const res = await h.app.inject("/api/v1/dags/etl");
    expect(res.statusCode).toBe(200);
    const d = res.json();
    expect(d.params.defaults).toEqual({ n: 1 });
    expect(d.params.schema.properties.n).toEqual({ type: "integer", default: 1 });
    expect(d).toMatchObject({ maxActiveRuns: 1, maxActiveTasks: 16, catchup: false, startDate: "1970-01-01T00:00:00.000Z", endDate: null });
    expect(d.tasks.map((t: { taskId: string }) => t.taskId)).toEqual(["extract", "load", "report"]);
    expect(d.tasks[2]).toEqual({
      taskId: "report",
      kind: "shell",
      upstream: ["load"],
      triggerRule: "all_success",
      retries: 0,
      pool: "default_pool",
      priorityWeight: 1,
      command: "echo {{ params.n }} {{ run_id }}",
      doc: null,
      mapped: null,
    });
    expect(d.triggers).toEqual([]);
  });

  it("describes mapped tasks and event triggers, never showing a connection URI", async () => {
    const spec = makeDag(
      [
        makeTask("list"),
        makeTask("each", { upstream: ["list"], map: { over: { file: "list" }, values: { n: [1, 2] }, partial: {}, maxLength: 50, maxActive: 4 } }),
      ],
      {
        dagId: "mapped",
        triggers: [
          { kind: "files", id: "landing", location: "/data/landing", pattern: "*.csv", conn: null, pollMs: 2000 },
          {
            kind: "messages",
            id: "orders",
            conn: "nats://user:s3cret@127.0.0.1:4222",
            source: { broker: "nats", stream: "ORDERS", durable: "baton", subject: null },
            startAt: "earliest",
            batch: { size: 100, withinMs: 5000 },
          },
        ],
      },
    );
    await h.store.saveDagVersion({ versionHash: "mapped-v1", dagId: "mapped", spec, source: "", bundlePath: "/b/m.mjs", createdAt: NOW });
    const res = await h.app.inject("/api/v1/dags/mapped");
    expect(res.statusCode).toBe(200);
    const d = res.json();
    expect(d.tasks[1].mapped).toEqual({ over: ["file", "n"], maxLength: 50, maxActive: 4 });
    expect(d.triggers).toEqual([
      { id: "landing", kind: "files", description: "a run per file matching *.csv in /data/landing, scanned every 2s" },
      {
        id: "orders",
        kind: "messages",
        description: "a run per batch of up to 100 messages within 5s from NATS stream ORDERS (durable baton) via connection (a connection URI)",
      },
    ]);
    expect(res.body).not.toContain("s3cret");
  });

  it("answers 404 for unknown and unicode ids", async () => {
    for (const id of ["nope", encodeURIComponent("ünï👩‍👩‍👧"), encodeURIComponent("a/b"), "%E0%A4%A"]) {
      const res = await h.app.inject(`/api/v1/dags/${id}`);
      expect([400, 404], id).toContain(res.statusCode);
      expect(res.json().error.code, id).toMatch(/not_found|invalid_input/);
    }
    expect((await h.app.inject("/api/v1/dags/nope")).json()).toEqual({ error: { code: "not_found", message: 'unknown DAG "nope"' } });
  });
});

describe("PATCH /api/v1/dags/:dagId", () => {
  it("pauses and unpauses", async () => {
    const res = await h.app.inject({ method: "PATCH", url: "/api/v1/dags/etl", payload: { paused: true } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ dagId: "etl", paused: true, nextRunAfter: null });
    expect((await h.store.getDag("etl"))?.paused).toBe(true);
    const back = await h.app.inject({ method: "PATCH", url: "/api/v1/dags/etl", payload: { paused: false } });
    expect(back.json().paused).toBe(false);
  });

  it("rejects a missing, mistyped or unknown field, and unknown DAGs", async () => {
    const missing = await h.app.inject({ method: "PATCH", url: "/api/v1/dags/etl", payload: {} });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().error).toMatchObject({ code: "invalid_input", field: "paused" });
    const wrong = await h.app.inject({ method: "PATCH", url: "/api/v1/dags/etl", payload: { paused: "sometimes" } });
    expect(wrong.json().error).toMatchObject({ field: "paused", message: "body/paused must be boolean" });
    const extra = await h.app.inject({ method: "PATCH", url: "/api/v1/dags/etl", payload: { paused: true, color: "red" } });
    expect(extra.json().error).toMatchObject({ field: "color" });
    const unknown = await h.app.inject({ method: "PATCH", url: "/api/v1/dags/nope", payload: { paused: true } });
    expect(unknown.statusCode).toBe(404);
  });
});

describe("GET /api/v1/dags/:dagId/source", () => {
  it("returns the latest version's source, or the one asked for", async () => {
    const latest = await h.app.inject("/api/v1/dags/etl/source");
    expect(latest.json()).toEqual({ dagId: "etl", version: "etl-v1", fileloc: "/dags/etl.ts", source: "export default dag('etl')\n" });
    const byVersion = await h.app.inject("/api/v1/dags/etl/source?version=etl-v1");
    expect(byVersion.json().version).toBe("etl-v1");
  });

  it("answers 404 for an unknown version or another DAG's version", async () => {
    expect((await h.app.inject("/api/v1/dags/etl/source?version=zzz")).statusCode).toBe(404);
    expect((await h.app.inject("/api/v1/dags/etl/source?version=other-v1")).statusCode).toBe(404);
    expect((await h.app.inject("/api/v1/dags/nope/source")).statusCode).toBe(404);
  });
});

describe("GET /api/v1/import-errors", () => {
  it("lists import errors", async () => {
    await h.store.replaceImportErrors("/dags/bad.ts", [{ file: "/dags/bad.ts", line: 3, column: 7, message: "boom «ü»", at: NOW }]);
    const res = await h.app.inject("/api/v1/import-errors");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      errors: [{ file: "/dags/bad.ts", line: 3, column: 7, message: "boom «ü»", at: new Date(NOW).toISOString(), severity: "error", code: null }],
    });
  });

  it("lists type-check warnings after the load errors, with severity and code; ?severity= keeps one kind", async () => {
    await h.store.replaceImportErrors("/dags/z.ts", [{ file: "/dags/z.ts", line: 1, column: 1, message: "load", at: NOW }]);
    await h.store.replaceImportWarnings("/dags/a.ts", [
      { file: "/dags/a.ts", line: 4, column: 11, code: 2322, message: "Type 'string' is not assignable to type 'number'.", at: NOW },
    ]);
    const all = (await h.app.inject("/api/v1/import-errors")).json() as { errors: { file: string; severity: string; code: number | null }[] };
    expect(all.errors.map((e) => [e.file, e.severity, e.code])).toEqual([
      ["/dags/z.ts", "error", null],
      ["/dags/a.ts", "warning", 2322],
    ]);
    expect((await h.app.inject("/api/v1/import-errors?severity=warning")).json().errors).toEqual([
      {
        file: "/dags/a.ts",
        line: 4,
        column: 11,
        message: "Type 'string' is not assignable to type 'number'.",
        at: new Date(NOW).toISOString(),
        severity: "warning",
        code: 2322,
      },
    ]);
    expect((await h.app.inject("/api/v1/import-errors?severity=error")).json().errors).toHaveLength(1);
    expect((await h.app.inject("/api/v1/import-errors?severity=all")).statusCode).toBe(400);
  });
});
