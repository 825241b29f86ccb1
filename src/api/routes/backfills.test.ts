import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { buildRun } from "../../scheduler/run-factory.js";
import { requireDag } from "../lookups.js";
import { apiHarness, applyNextCommand, NOW, type ApiHarness } from "../testing/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});
afterEach(async () => {
  await h.close();
});

const post = (payload: unknown) =>
  h.app.inject({
    method: "POST",
    url: "/api/v1/backfills",
    headers: { "content-type": "application/json" },
    payload: typeof payload === "string" ? payload : JSON.stringify(payload),
  });

describe("backfills", () => {
  it("creates, lists and gets a backfill", async () => {
    const res = await post({ dagId: "etl", from: "2025-01-01", to: "2025-01-02T12:00:00Z", conf: { n: 2 } });
    expect(res.statusCode).toBe(201);
    const b = res.json();
    expect(b).toMatchObject({
      dagId: "etl",
      from: "2025-01-01T00:00:00.000Z",
      to: "2025-01-02T12:00:00.000Z",
      reprocess: "none",
      maxActiveRuns: 1,
      conf: { n: 2 },
      state: "queued",
      endedAt: null,
    });
    expect(typeof b.id).toBe("number");
    const other = await post({ dagId: "etl", from: "2025-01-01T00:00:00Z", to: "2025-01-01T00:00:00Z", reprocess: "failed", maxActiveRuns: 4 });
    expect(other.statusCode).toBe(201);
    const badZone = await post({ dagId: "other", from: "2025-01-01", to: "2025-01-01T00:00:00Z" });
    expect(badZone.statusCode).toBe(400);
    expect(badZone.json().error.field).toBe("from");
    expect((await h.app.inject("/api/v1/backfills")).json().backfills.map((x: { id: number }) => x.id)).toEqual([other.json().id, b.id]);
    expect((await h.app.inject("/api/v1/backfills?dagId=etl")).json().backfills).toHaveLength(2);
    expect((await h.app.inject("/api/v1/backfills?dagId=other")).json().backfills).toHaveLength(0);
    expect((await h.app.inject(`/api/v1/backfills/${b.id}`)).json()).toEqual(b);
  });

  it("rejects bad input naming the field", async () => {
    for (const [payload, field] of [
      [{ from: "2025-01-01", to: "2025-01-02" }, "dagId"],
      [{ dagId: "etl", from: "soon", to: "2025-01-02" }, "from"],
      [{ dagId: "etl", from: "2025-01-03", to: "2025-01-02" }, "to"],
      [{ dagId: "etl", from: "2025-01-01", to: "2025-01-02", reprocess: "all" }, "reprocess"],
      [{ dagId: "etl", from: "2025-01-01", to: "2025-01-02", maxActiveRuns: 0 }, "maxActiveRuns"],
      ['{"dagId":"etl","from":"2025-01-01","to":"2025-01-02","maxActiveRuns":1e309}', "maxActiveRuns"],
      [{ dagId: "etl", from: "2025-01-01", to: "2025-01-02", conf: { region: "moon" } }, "conf.region"],
    ] as const) {
      const res = await post(payload);
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.field, JSON.stringify(payload)).toBe(field);
    }
    expect((await post({ dagId: "nope", from: "2025-01-01", to: "2025-01-02" })).statusCode).toBe(404);
    expect((await h.app.inject("/api/v1/backfills/999")).statusCode).toBe(404);
    expect((await h.app.inject("/api/v1/backfills/abc")).json().error.field).toBe("id");
    expect((await h.app.inject("/api/v1/backfills/99999999999999999999999")).statusCode).toBe(400);
  });

  it("regression (issue 8, item 5): refuses dates that are not ISO 8601 or do not exist", async () => {
    for (const bad of [123, "1", "0.5", "March 7", "2026-02-30", "2025-13-01", "2025-01-01T25:00Z", "2025-01-01 00:00Z"]) {
      for (const field of ["from", "to"] as const) {
        const res = await post({ dagId: "etl", from: "2025-01-01", to: "2025-01-02", [field]: bad });
        expect(res.statusCode, `${field} ${JSON.stringify(bad)}`).toBe(400);
        expect(res.json().error.field, `${field} ${JSON.stringify(bad)}`).toBe(field);
        expect(res.json().error.message).toMatch(/YYYY-MM-DD/);
      }
    }
    expect(await h.store.listBackfills({})).toEqual([]);
    const naive = await post({ dagId: "etl", from: "2025-01-01T06:00", to: "2025-01-01T08:00:00.000" });
    expect(naive.json()).toMatchObject({ from: "2025-01-01T06:00:00.000Z", to: "2025-01-01T08:00:00.000Z" });
  });

  it("regression (issue 8, item 5): refuses a backfill of more than 1000 runs unless forced", async () => {
    // etl runs hourly: January and February 2025 are 1,416 hours, plus the last one.
    const big = await post({ dagId: "etl", from: "2025-01-01", to: "2025-03-01" });
    expect(big.statusCode).toBe(400);
    expect(big.json().error.message).toMatch(
      /covers 1417 scheduled intervals of etl, one run each: more than the limit of 1000 runs per backfill.*"force": true/,
    );
    expect(await h.store.listBackfills({})).toEqual([]);
    expect((await post({ dagId: "etl", from: "2025-01-01", to: "2025-03-01", force: false })).statusCode).toBe(400);
    const forced = await post({ dagId: "etl", from: "2025-01-01", to: "2025-03-01", force: true });
    expect(forced.statusCode).toBe(201);
    expect((await post({ dagId: "etl", from: "2025-01-01", to: "2025-02-11T15:00:00Z" })).statusCode).toBe(201);
  });

  it("cancel enqueues cancel_backfill; 404 unknown, 409 when already ended", async () => {
    const b = (await post({ dagId: "etl", from: "2025-01-01", to: "2025-01-02" })).json();
    const pending = await h.app.inject({ method: "POST", url: `/api/v1/backfills/${b.id}/cancel` });
    expect(pending.statusCode).toBe(202);
    expect(await h.store.getCommand(pending.json().commandId)).toMatchObject({ kind: "cancel_backfill", payload: { backfillId: b.id } });
    await h.store.completeCommand(pending.json().commandId, "ok", 0);
    const [applied] = await Promise.all([h.app.inject({ method: "POST", url: `/api/v1/backfills/${b.id}/cancel` }), applyNextCommand(h.store)]);
    expect(applied.statusCode).toBe(200);
    expect((await h.app.inject({ method: "POST", url: "/api/v1/backfills/4242/cancel" })).statusCode).toBe(404);
    await h.store.commit({ backfills: [{ id: b.id, state: "cancelled", endedAt: 1 }] });
    expect((await h.app.inject({ method: "POST", url: `/api/v1/backfills/${b.id}/cancel` })).statusCode).toBe(409);
  });
});

describe("backfill pause and unpause", () => {
  const act = (id: number | string, verb: "pause" | "unpause", headers: Record<string, string> = {}) =>
    h.app.inject({ method: "POST", url: `/api/v1/backfills/${id}/${verb}`, headers });

  it("pauses and unpauses a queued or running backfill (idempotently), answering the Backfill with `paused`; audited; unpause wakes the scheduler", async () => {
    const created = (await post({ dagId: "etl", from: "2025-01-01", to: "2025-01-01T03:00Z" })).json();
    expect(created.paused).toBe(false);
    const paused = await act(created.id, "pause");
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toEqual({ ...created, paused: true });
    expect((await act(created.id, "pause")).json()).toMatchObject({ id: created.id, state: "queued", paused: true });
    expect((await h.app.inject(`/api/v1/backfills/${created.id}`)).json().paused).toBe(true);
    expect((await h.app.inject("/api/v1/backfills")).json().backfills[0]).toMatchObject({ id: created.id, paused: true });

    await h.store.commit({ backfills: [{ id: created.id, state: "running" }] });
    const wakes = h.wakes;
    const resumed = await act(created.id, "unpause");
    expect(resumed.statusCode).toBe(200);
    expect(resumed.json()).toMatchObject({ id: created.id, state: "running", paused: false, progress: { total: 0 } });
    expect(h.wakes).toBe(wakes + 1);
    expect((await act(created.id, "unpause")).json().paused).toBe(false);
    expect(await h.store.getBackfill(created.id)).toMatchObject({ paused: false, state: "running" });

    const audit = await h.store.listAudit({ limit: 10 });
    const mine = audit.filter((e) => e.action === "backfill.pause" || e.action === "backfill.unpause");
    expect(mine.map((e) => [e.action, e.before, e.after]).reverse()).toEqual([
      ["backfill.pause", { paused: false }, { paused: true }],
      ["backfill.pause", { paused: true }, { paused: true }],
      ["backfill.unpause", { paused: true }, { paused: false }],
      ["backfill.unpause", { paused: false }, { paused: false }],
    ]);
    expect(mine[0]).toMatchObject({ target: { type: "backfill", id: String(created.id) }, dagId: "etl" });
  });

  it("404 for an unknown backfill, 409 once it ended (done or cancelled), 400 for a bad id", async () => {
    const b = (await post({ dagId: "etl", from: "2025-01-01", to: "2025-01-02" })).json();
    for (const verb of ["pause", "unpause"] as const) {
      const missing = await act(4242, verb);
      expect(missing.statusCode).toBe(404);
      expect(missing.json().error.message).toContain("no backfill 4242");
      expect((await act("abc", verb)).json().error.field).toBe("id");
    }
    await h.store.commit({ backfills: [{ id: b.id, state: "done", endedAt: 1 }] });
    for (const verb of ["pause", "unpause"] as const) {
      const ended = await act(b.id, verb);
      expect(ended.statusCode, verb).toBe(409);
      expect(ended.json().error.message).toMatch(/already ended \(done\)/);
    }
    const c = (await post({ dagId: "etl", from: "2025-01-01", to: "2025-01-02" })).json();
    await h.store.commit({ backfills: [{ id: c.id, state: "cancelled", endedAt: 1 }] });
    expect((await act(c.id, "pause")).statusCode).toBe(409);
    expect(await h.store.getBackfill(c.id)).toMatchObject({ state: "cancelled", paused: false });
  });
});

describe("backfill dry run and progress", () => {
  const hour = 3_600_000;
  const jan1 = Date.UTC(2025, 0, 1);
  /** A stored run of etl at jan1 + h hours, in `state`. */
  const runAt = async (h_: number, state: "queued" | "running" | "success" | "failed") => {
    const { version } = await requireDag(h.store, "etl");
    const at = jan1 + h_ * hour;
    const { run, tis } = buildRun({
      version,
      runType: "scheduled",
      interval: { logicalDate: at, dataIntervalStart: at, dataIntervalEnd: at + hour, runAfter: at + hour },
      now: NOW,
    });
    const created = (await h.store.createRun(run, tis))!;
    if (state !== "queued") await h.store.commit({ runs: [{ id: created.id, state }] });
    return created;
  };
  const dryRun = (query: string) => h.app.inject(`/api/v1/backfills/dry-run?${query}`);

  it("lists the intervals and what the planner would do with each, writing nothing", async () => {
    await runAt(1, "success");
    await runAt(2, "failed");
    await runAt(3, "running");
    const none = await dryRun("dagId=etl&from=2025-01-01&to=2025-01-01T04:00Z");
    expect(none.statusCode, none.body).toBe(200);
    const body = none.json();
    expect(body).toMatchObject({ dagId: "etl", reprocess: "none", maxActiveRuns: 1, count: 5, more: false, needsForce: false });
    expect(body.runs.map((r: { action: string }) => r.action)).toEqual(["create", "keep", "keep", "keep", "create"]);
    expect(body.runs[2]).toMatchObject({
      logicalDate: "2025-01-01T02:00:00.000Z",
      dataIntervalEnd: "2025-01-01T03:00:00.000Z",
      existingState: "failed",
      existingRunId: expect.any(String),
    });
    const failed = (await dryRun("dagId=etl&from=2025-01-01&to=2025-01-01T04:00Z&reprocess=failed&maxActiveRuns=3")).json();
    expect(failed.runs.map((r: { action: string }) => r.action)).toEqual(["create", "keep", "rerun", "keep", "create"]);
    expect(failed.maxActiveRuns).toBe(3);
    const completed = (await dryRun("dagId=etl&from=2025-01-01&to=2025-01-01T04:00Z&reprocess=completed")).json();
    expect(completed.runs.map((r: { action: string }) => r.action)).toEqual(["create", "rerun", "rerun", "keep", "create"]);
    const big = (await dryRun("dagId=etl&from=2025-01-01&to=2025-03-01")).json();
    expect(big).toMatchObject({ count: 1417, needsForce: true });
    expect(big.runs).toHaveLength(1000);
    expect((await dryRun("dagId=etl&from=2025-01-01&to=2025-03-01&force=true")).json().needsForce).toBe(false);
    expect(await h.store.listBackfills({})).toEqual([]);
    expect((await dryRun("dagId=etl&from=2025-01-02&to=2025-01-01")).json().error.field).toBe("to");
    expect((await dryRun("dagId=etl&from=soon&to=2025-01-01")).json().error.field).toBe("from");
    expect((await dryRun("dagId=nope&from=2025-01-01&to=2025-01-02")).statusCode).toBe(404);
  });

  it("counts a backfill's runs by state in list, get and create", async () => {
    const b = (await post({ dagId: "etl", from: "2025-01-01", to: "2025-01-01T03:00Z" })).json();
    expect(b.progress).toEqual({ total: 0, queued: 0, running: 0, success: 0, failed: 0 });
    await runAt(0, "success");
    await runAt(1, "failed");
    await runAt(2, "running");
    await runAt(3, "queued");
    await runAt(4, "success"); // outside the range
    const expected = { total: 4, queued: 1, running: 1, success: 1, failed: 1 };
    expect((await h.app.inject(`/api/v1/backfills/${b.id}`)).json().progress).toEqual(expected);
    expect((await h.app.inject("/api/v1/backfills")).json().backfills[0].progress).toEqual(expected);
  });
});
