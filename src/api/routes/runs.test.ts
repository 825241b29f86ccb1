import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunType } from "../../core/model/states.js";
import { newRun } from "../../store/contract/fixtures.js";
import { encodeCursor } from "../cursor.js";
import { apiHarness, applyNextCommand, NOW, type ApiHarness } from "../testing/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});
afterEach(async () => {
  await h.close();
});

async function seedRuns(dagId: string, count: number, runType: (i: number) => RunType = () => "manual") {
  for (let i = 0; i < count; i++) {
    await h.store.createRun(newRun(dagId, `${dagId}-${i}`, { dagVersion: `${dagId}-v1`, runType: runType(i), logicalDate: NOW + i }), []);
  }
}

describe("GET /api/v1/runs and /api/v1/dags/:dagId/runs", () => {
  it("pages newest first with an opaque cursor until nextCursor is null", async () => {
    await seedRuns("etl", 7);
    const seen: string[] = [];
    let url = "/api/v1/dags/etl/runs?limit=3";
    let pages = 0;
    for (;;) {
      const res = await h.app.inject(url);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      seen.push(...body.runs.map((r: { runId: string }) => r.runId));
      pages++;
      if (body.nextCursor === null) break;
      expect(body.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
      url = `/api/v1/dags/etl/runs?limit=3&cursor=${body.nextCursor}`;
    }
    expect(pages).toBe(3);
    expect(seen).toEqual([6, 5, 4, 3, 2, 1, 0].map((i) => `etl-${i}`));
  });

  it("gives nextCursor null when the last page is exactly full", async () => {
    await seedRuns("etl", 2);
    const body = (await h.app.inject("/api/v1/dags/etl/runs?limit=2")).json();
    expect(body.runs).toHaveLength(2);
    expect(body.nextCursor).toBeNull();
  });

  it("returns the Run shape", async () => {
    await seedRuns("etl", 1);
    const [run] = (await h.app.inject("/api/v1/runs")).json().runs;
    expect(run).toEqual({
      dagId: "etl",
      runId: "etl-0",
      runType: "manual",
      state: "queued",
      logicalDate: new Date(NOW).toISOString(),
      dataIntervalStart: null,
      dataIntervalEnd: null,
      conf: {},
      dagVersion: "etl-v1",
      backfillId: null,
      createdAt: "2023-11-14T22:13:20.000Z",
      startedAt: null,
      endedAt: null,
      durationMs: null,
      note: null,
      deadlineMissed: false,
      triggeredBy: null,
    });
  });

  it("filters by dagId, state (repeatable) and runType across store batches", async () => {
    await seedRuns("etl", 260, (i) => (i % 100 === 0 ? "backfill" : "manual"));
    await seedRuns("other", 2);
    const run = await h.store.getRun("other", "other-1");
    await h.store.commit({ runs: [{ id: run!.id, state: "failed", startedAt: NOW, endedAt: NOW + 1500 }] });
    const other = (await h.app.inject("/api/v1/runs?dagId=other")).json();
    expect(other.runs.map((r: { runId: string }) => r.runId)).toEqual(["other-1", "other-0"]);
    expect(other.runs[0]).toMatchObject({ state: "failed", durationMs: 1500 });
    const failed = (await h.app.inject("/api/v1/runs?state=failed&state=success")).json();
    expect(failed.runs.map((r: { runId: string }) => r.runId)).toEqual(["other-1"]);
    const first = (await h.app.inject("/api/v1/runs?runType=backfill&limit=2")).json();
    expect(first.runs.map((r: { runId: string }) => r.runId)).toEqual(["etl-200", "etl-100"]);
    const second = (await h.app.inject(`/api/v1/runs?runType=backfill&limit=2&cursor=${first.nextCursor}`)).json();
    expect(second).toMatchObject({ runs: [{ runId: "etl-0" }], nextCursor: null });
  });

  it("rejects bad cursors, limits and states naming the field", async () => {
    await seedRuns("etl", 1);
    for (const [qs, field] of [
      ["cursor=!!!", "cursor"],
      ["cursor=bm90LWEtbnVtYmVy", "cursor"],
      [`cursor=${encodeCursor(1)}x`, "cursor"],
      ["cursor=" + "A".repeat(200), "cursor"],
      ["limit=501", "limit"],
      ["limit=1e309", "limit"],
      ["state=sleeping", "state.0"],
      ["runType=weird", "runType.0"],
    ] as const) {
      const res = await h.app.inject(`/api/v1/runs?${qs}`);
      expect(res.statusCode, qs).toBe(400);
      expect(res.json().error, qs).toMatchObject({ code: "invalid_input", field });
    }
  });

  it("answers 404 for the runs of an unknown DAG", async () => {
    expect((await h.app.inject("/api/v1/dags/nope/runs")).statusCode).toBe(404);
  });
});

describe("POST /api/v1/dags/:dagId/runs", () => {
  it("creates a queued manual run with conf and logical date", async () => {
    const res = await h.app.inject({
      method: "POST",
      url: "/api/v1/dags/etl/runs",
      payload: { conf: { n: 5, region: "eu" }, logicalDate: "2025-01-02", runId: "my_run" },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      dagId: "etl",
      runId: "my_run",
      runType: "manual",
      state: "queued",
      conf: { n: 5, region: "eu" },
      logicalDate: "2025-01-02T00:00:00.000Z",
      dagVersion: "etl-v1",
    });
    expect(await h.store.getRun("etl", "my_run")).toBeDefined();
  });

  it("accepts an empty body and no body at all", async () => {
    const empty = await h.app.inject({ method: "POST", url: "/api/v1/dags/etl/runs", payload: {} });
    expect(empty.statusCode).toBe(201);
    expect(empty.json().logicalDate).toBe(new Date(NOW).toISOString());
    h.clock.now += 1000;
    const none = await h.app.inject({ method: "POST", url: "/api/v1/dags/etl/runs" });
    expect(none.statusCode).toBe(201);
  });

  it("validates conf against the params, naming the field", async () => {
    const res = await h.app.inject({ method: "POST", url: "/api/v1/dags/etl/runs", payload: { conf: { region: "mars" } } });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code: "invalid_input", field: "conf.region", message: expect.stringContaining("must be one of eu, us") });
    const two = await h.app.inject({ method: "POST", url: "/api/v1/dags/etl/runs", payload: { conf: { region: "mars", n: "x" } } });
    expect(two.statusCode).toBe(400);
    expect(two.json().error.field).toBeUndefined();
  });

  it("rejects bad dates, run ids and body types", async () => {
    for (const [payload, field] of [
      [{ logicalDate: "yesterday" }, "logicalDate"],
      [{ runId: "a b/c" }, "runId"],
      [{ runId: "" }, "runId"],
      [{ conf: [1, 2] }, "conf"],
      [{ conf: "x" }, "conf"],
      [{ unknown: 1 }, "unknown"],
    ] as const) {
      const res = await h.app.inject({ method: "POST", url: "/api/v1/dags/etl/runs", payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.field, JSON.stringify(payload)).toBe(field);
    }
  });

  it("regression (issue 8, item 5): logicalDate takes only real ISO 8601 dates", async () => {
    for (const logicalDate of [123, "1", "0.5", "March 7", "2026-02-30", "2025-13-01", "2025-01-01T25:00Z", "2025-01-01T10:00:00+0100"]) {
      const res = await h.app.inject({ method: "POST", url: "/api/v1/dags/etl/runs", payload: { logicalDate } });
      expect(res.statusCode, JSON.stringify(logicalDate)).toBe(400);
      expect(res.json().error, JSON.stringify(logicalDate)).toMatchObject({ field: "logicalDate", message: expect.stringContaining("YYYY-MM-DD") });
    }
    const naive = await h.app.inject({ method: "POST", url: "/api/v1/dags/etl/runs", payload: { logicalDate: "2025-01-02T06:30", runId: "naive" } });
    expect(naive.json().logicalDate).toBe("2025-01-02T06:30:00.000Z");
    const offset = await h.app.inject({
      method: "POST",
      url: "/api/v1/dags/etl/runs",
      payload: { logicalDate: "2025-01-03T06:30:00.250+02:00", runId: "offset" },
    });
    expect(offset.json().logicalDate).toBe("2025-01-03T04:30:00.250Z");
  });

  it("answers 409 for a duplicate run id and 404 for an unknown DAG", async () => {
    await h.app.inject({ method: "POST", url: "/api/v1/dags/etl/runs", payload: { runId: "dup" } });
    const again = await h.app.inject({ method: "POST", url: "/api/v1/dags/etl/runs", payload: { runId: "dup" } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe("conflict");
    expect((await h.app.inject({ method: "POST", url: "/api/v1/dags/nope/runs", payload: {} })).statusCode).toBe(404);
  });
});

describe("GET /api/v1/dags/:dagId/runs/:runId", () => {
  it("returns the run, or 404", async () => {
    await seedRuns("etl", 1);
    expect((await h.app.inject("/api/v1/dags/etl/runs/etl-0")).json().runId).toBe("etl-0");
    const missing = await h.app.inject("/api/v1/dags/etl/runs/zzz");
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.message).toBe('DAG "etl" has no run "zzz"');
    expect((await h.app.inject("/api/v1/dags/nope/runs/etl-0")).json().error.message).toBe('unknown DAG "nope"');
    expect((await h.app.inject(`/api/v1/dags/etl/runs/${encodeURIComponent("ü/../..")}`)).statusCode).toBe(404);
  });
});

describe("run commands", () => {
  beforeEach(async () => {
    await seedRuns("etl", 1);
  });

  it("PATCH marks a run: 202 pending when nothing applies it, recorded with its payload", async () => {
    const res = await h.app.inject({ method: "PATCH", url: "/api/v1/dags/etl/runs/etl-0", payload: { state: "failed" } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ status: "pending", result: null });
    const cmd = await h.store.getCommand(res.json().commandId);
    expect(cmd).toMatchObject({ kind: "mark_run", payload: { dagId: "etl", runId: "etl-0", state: "failed" }, requestedBy: "local-admin", appliedAt: null });
    expect(h.wakes).toBe(1);
  });

  it("PATCH answers 200 with the result when the command is applied meanwhile", async () => {
    const [res] = await Promise.all([
      h.app.inject({ method: "PATCH", url: "/api/v1/dags/etl/runs/etl-0", payload: { state: "success" } }),
      applyNextCommand(h.store, "ok"),
    ]);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: "applied", result: "ok" });
  });

  it("clear and cancel enqueue their commands", async () => {
    const [clear] = await Promise.all([
      h.app.inject({ method: "POST", url: "/api/v1/dags/etl/runs/etl-0/clear", payload: { onlyFailed: true } }),
      applyNextCommand(h.store),
    ]);
    expect(clear.statusCode).toBe(200);
    expect((await h.store.getCommand(clear.json().commandId))?.payload).toEqual({ dagId: "etl", runId: "etl-0", onlyFailed: true });
    const clearDefault = await h.app.inject({ method: "POST", url: "/api/v1/dags/etl/runs/etl-0/clear" });
    expect(clearDefault.statusCode).toBe(202);
    expect((await h.store.getCommand(clearDefault.json().commandId))?.payload).toMatchObject({ onlyFailed: false });
    const cancel = await h.app.inject({ method: "POST", url: "/api/v1/dags/etl/runs/etl-0/cancel" });
    expect(cancel.statusCode).toBe(202);
    expect((await h.store.getCommand(cancel.json().commandId))?.kind).toBe("cancel_run");
  });

  it("rejects bad bodies, unknown runs and cancelling an ended run", async () => {
    const bad = await h.app.inject({ method: "PATCH", url: "/api/v1/dags/etl/runs/etl-0", payload: { state: "running" } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.field).toBe("state");
    const badClear = await h.app.inject({ method: "POST", url: "/api/v1/dags/etl/runs/etl-0/clear", payload: { onlyFailed: "x" } });
    expect(badClear.json().error.field).toBe("onlyFailed");
    for (const url of ["/api/v1/dags/etl/runs/nope/clear", "/api/v1/dags/etl/runs/nope/cancel", "/api/v1/dags/nope/runs/etl-0/cancel"]) {
      expect((await h.app.inject({ method: "POST", url })).statusCode, url).toBe(404);
    }
    expect((await h.app.inject({ method: "PATCH", url: "/api/v1/dags/etl/runs/nope", payload: { state: "success" } })).statusCode).toBe(404);
    const run = await h.store.getRun("etl", "etl-0");
    await h.store.commit({ runs: [{ id: run!.id, state: "success" }] });
    const ended = await h.app.inject({ method: "POST", url: "/api/v1/dags/etl/runs/etl-0/cancel" });
    expect(ended.statusCode).toBe(409);
    expect(await h.store.listPendingCommands(10)).toHaveLength(0);
  });
});
