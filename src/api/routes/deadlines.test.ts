import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { MissedDeadline } from "../../core/model/deadlines.js";
import { newRun } from "../../store/contract/fixtures.js";
import { apiHarness, NOW, type ApiHarness } from "../testing/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});
afterEach(async () => {
  await h.close();
});

const HOUR = 3_600_000;

async function seed(): Promise<{ late: number; onTime: number }> {
  const late = (await h.store.createRun(newRun("etl", "late", { dagVersion: "etl-v1" }), []))!;
  const onTime = (await h.store.createRun(newRun("etl", "on_time", { dagVersion: "etl-v1" }), []))!;
  const miss = (over: Partial<MissedDeadline>): MissedDeadline => ({
    dagId: "etl",
    runId: "late",
    runPk: late.id,
    taskId: null,
    mapIndex: -1,
    tryNumber: 0,
    deadlineIndex: 0,
    description: "logicalDate + 2h",
    dueAt: NOW,
    detectedAt: NOW,
    ...over,
  });
  await h.store.deadlines.recordMissedDeadline(miss({}));
  await h.store.deadlines.recordMissedDeadline(miss({ deadlineIndex: 1, description: "queuedAt + 30m", dueAt: NOW + HOUR, detectedAt: NOW + HOUR }));
  await h.store.deadlines.recordMissedDeadline(
    miss({ taskId: "load", tryNumber: 2, description: "expectedDuration 10m", dueAt: NOW + 2 * HOUR, detectedAt: NOW + 2 * HOUR + 500 }),
  );
  await h.store.deadlines.recordMissedDeadline(miss({ dagId: "other", runId: "o", runPk: 999, dueAt: NOW + 3 * HOUR, detectedAt: NOW + 3 * HOUR }));
  return { late: late.id, onTime: onTime.id };
}

describe("GET /api/v1/deadlines/missed", () => {
  it("lists misses newest first with their fields, filtered by dagId and since", async () => {
    await seed();
    const all = await h.app.inject("/api/v1/deadlines/missed");
    expect(all.statusCode).toBe(200);
    const body = all.json();
    expect(body.nextCursor).toBeNull();
    expect(body.missed.map((m: { runId: string; deadline: string }) => [m.runId, m.deadline])).toEqual([
      ["o", "logicalDate + 2h"],
      ["late", "expectedDuration 10m"],
      ["late", "queuedAt + 30m"],
      ["late", "logicalDate + 2h"],
    ]);
    expect(body.missed[1]).toEqual({
      id: expect.any(Number),
      dagId: "etl",
      runId: "late",
      taskId: "load",
      mapIndex: -1,
      tryNumber: 2,
      deadline: "expectedDuration 10m",
      dueAt: new Date(NOW + 2 * HOUR).toISOString(),
      detectedAt: new Date(NOW + 2 * HOUR + 500).toISOString(),
    });
    expect(body.missed[3]).toMatchObject({ taskId: null, tryNumber: 0, dueAt: new Date(NOW).toISOString() });

    const etl = (await h.app.inject("/api/v1/deadlines/missed?dagId=etl")).json();
    expect(etl.missed).toHaveLength(3);
    const since = new Date(NOW + HOUR).toISOString();
    const recent = (await h.app.inject(`/api/v1/deadlines/missed?dagId=etl&since=${encodeURIComponent(since)}`)).json();
    expect(recent.missed.map((m: { deadline: string }) => m.deadline)).toEqual(["expectedDuration 10m", "queuedAt + 30m"]);
  });

  it("pages with an opaque cursor until nextCursor is null", async () => {
    await seed();
    const seen: string[] = [];
    let url = "/api/v1/deadlines/missed?limit=3";
    for (let pages = 0; pages < 5; pages++) {
      const body = (await h.app.inject(url)).json();
      seen.push(...body.missed.map((m: { runId: string; deadline: string }) => `${m.runId}/${m.deadline}`));
      if (body.nextCursor === null) break;
      url = `/api/v1/deadlines/missed?limit=3&cursor=${body.nextCursor}`;
    }
    expect(seen).toEqual(["o/logicalDate + 2h", "late/expectedDuration 10m", "late/queuedAt + 30m", "late/logicalDate + 2h"]);
  });

  it("rejects a bad since, cursor or limit with 400 naming it", async () => {
    const since = await h.app.inject("/api/v1/deadlines/missed?since=yesterday");
    expect(since.statusCode).toBe(400);
    expect(since.json().message ?? since.body).toMatch(/since/);
    expect((await h.app.inject("/api/v1/deadlines/missed?cursor=!!")).statusCode).toBe(400);
    expect((await h.app.inject("/api/v1/deadlines/missed?limit=0")).statusCode).toBe(400);
  });

  it("needs role viewer", async () => {
    const required = await apiHarness({ mode: "required" });
    try {
      expect((await required.app.inject("/api/v1/deadlines/missed")).statusCode).toBe(401);
      expect((await required.app.inject({ url: "/api/v1/deadlines/missed", headers: await required.bearer("viewer") })).statusCode).toBe(200);
    } finally {
      await required.close();
    }
  });
});

describe("a run's deadlineMissed", () => {
  it("is true on runs that missed a deadline (theirs or an attempt's), in lists and a run's own JSON", async () => {
    await seed();
    const list = (await h.app.inject("/api/v1/dags/etl/runs")).json();
    expect(Object.fromEntries(list.runs.map((r: { runId: string; deadlineMissed: boolean }) => [r.runId, r.deadlineMissed]))).toEqual({
      late: true,
      on_time: false,
    });
    expect((await h.app.inject("/api/v1/dags/etl/runs/late")).json().deadlineMissed).toBe(true);
    expect((await h.app.inject("/api/v1/dags/etl/runs/on_time")).json().deadlineMissed).toBe(false);
  });
});
