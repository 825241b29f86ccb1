import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Anomaly } from "../../core/anomaly/anomaly.js";
import { apiHarness, NOW, type ApiHarness } from "../testing/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});
afterEach(async () => {
  await h.close();
});

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

const anomaly = (over: Partial<Anomaly>): Anomaly => ({
  dagId: "etl",
  runId: "r1",
  runPk: 1,
  taskId: "load",
  mapIndex: -1,
  tryNumber: 1,
  metric: "rows",
  value: 480,
  median: 1000,
  mad: 30,
  score: -11.69,
  points: 30,
  season: "weekday",
  detectedAt: NOW,
  ...over,
});

async function seed(): Promise<void> {
  await h.store.anomalies.recordAnomaly(anomaly({ detectedAt: NOW - 10 * DAY }));
  await h.store.anomalies.recordAnomaly(
    anomaly({ runId: "r2", runPk: 2, metric: "duration", value: 183.5, median: 61, mad: 3.2, score: 25.8, season: "none", detectedAt: NOW - HOUR }),
  );
  await h.store.anomalies.recordAnomaly(anomaly({ dagId: "other", runId: "o", runPk: 3, detectedAt: NOW }));
}

it("shows a late run's anomaly with taskId null", async () => {
  await h.store.anomalies.recordAnomaly(
    anomaly({ taskId: "", tryNumber: 0, metric: "landing", value: 2400, median: 600, mad: 15, score: 80.9, points: 20, season: "none" }),
  );
  const body = (await h.app.inject("/api/v1/anomalies")).json();
  expect(body.anomalies[0]).toMatchObject({
    taskId: null,
    mapIndex: -1,
    tryNumber: 0,
    metric: "landing",
    value: 2400,
    baseline: { median: 600, mad: 15, points: 20, season: "none" },
  });
});

describe("GET /api/v1/anomalies", () => {
  it("lists anomalies newest first with the evidence, filtered by dagId and since", async () => {
    await seed();
    const all = await h.app.inject("/api/v1/anomalies");
    expect(all.statusCode).toBe(200);
    const body = all.json();
    expect(body.nextCursor).toBeNull();
    expect(body.anomalies.map((a: { runId: string }) => a.runId)).toEqual(["o", "r2", "r1"]);
    expect(body.anomalies[1]).toEqual({
      id: expect.any(Number),
      dagId: "etl",
      runId: "r2",
      taskId: "load",
      mapIndex: -1,
      tryNumber: 1,
      metric: "duration",
      value: 183.5,
      baseline: { median: 61, mad: 3.2, points: 30, season: "none" },
      score: 25.8,
      detectedAt: new Date(NOW - HOUR).toISOString(),
    });
    const etl = (await h.app.inject("/api/v1/anomalies?dagId=etl")).json();
    expect(etl.anomalies.map((a: { runId: string }) => a.runId)).toEqual(["r2", "r1"]);
    const recent = (await h.app.inject(`/api/v1/anomalies?dagId=etl&since=${new Date(NOW - DAY).toISOString()}`)).json();
    expect(recent.anomalies.map((a: { runId: string }) => a.runId)).toEqual(["r2"]);
  });

  it("pages with a cursor", async () => {
    await seed();
    const first = (await h.app.inject("/api/v1/anomalies?limit=2")).json();
    expect(first.anomalies).toHaveLength(2);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = (await h.app.inject(`/api/v1/anomalies?limit=2&cursor=${encodeURIComponent(first.nextCursor)}`)).json();
    expect(second.anomalies.map((a: { runId: string }) => a.runId)).toEqual(["r1"]);
    expect(second.nextCursor).toBeNull();
  });

  it("answers 400 for a bad since or cursor", async () => {
    expect((await h.app.inject("/api/v1/anomalies?since=yesterday")).statusCode).toBe(400);
    expect((await h.app.inject("/api/v1/anomalies?cursor=%%%")).statusCode).toBe(400);
    expect((await h.app.inject("/api/v1/anomalies?limit=0")).statusCode).toBe(400);
  });
});

describe("GET /api/v1/anomalies/counts", () => {
  it("counts per DAG over the last 7 days by default, or since a time", async () => {
    await seed();
    const week = (await h.app.inject("/api/v1/anomalies/counts")).json();
    expect(week).toEqual({ since: new Date(NOW - 7 * DAY).toISOString(), total: 2, counts: { etl: 1, other: 1 } });
    const month = (await h.app.inject(`/api/v1/anomalies/counts?since=${new Date(NOW - 30 * DAY).toISOString()}`)).json();
    expect(month).toMatchObject({ total: 3, counts: { etl: 2, other: 1 } });
  });
});
