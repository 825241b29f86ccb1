import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiHarness, type ApiHarness } from "../testing/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness({ mode: "required" });
});
afterEach(async () => {
  await h.close();
});

describe("GET /api/v1/callbacks", () => {
  it("lists callback firings newest first for a viewer, filtered by DAG and run, with the errors of failed functions", async () => {
    const cb = h.store.callbacks;
    const key = { runPk: 1, taskId: "load", mapIndex: -1, tryNumber: 2, event: "failure" };
    await cb.claimCallback(key, { dagId: "etl", runId: "r1" }, "host:1", Date.UTC(2026, 0, 5, 1));
    await cb.finishCallback(key, "timed_out", "notify: callback exceeded its time limit of 60s and was killed", Date.UTC(2026, 0, 5, 1, 1));
    await cb.claimCallback(
      { runPk: 1, taskId: null, mapIndex: -1, tryNumber: 0, event: "failure@5" },
      { dagId: "etl", runId: "r1" },
      "host:1",
      Date.UTC(2026, 0, 5, 2),
    );
    await cb.claimCallback({ ...key, runPk: 2 }, { dagId: "other", runId: "r9" }, "host:2", Date.UTC(2026, 0, 5, 3));

    const res = await h.app.inject({ url: "/api/v1/callbacks?dagId=etl", headers: await h.bearer("viewer") });
    expect(res.statusCode).toBe(200);
    const body = res.json() as { callbacks: Record<string, unknown>[] };
    expect(body.callbacks).toEqual([
      {
        dagId: "etl",
        runId: "r1",
        taskId: null,
        mapIndex: -1,
        tryNumber: 0,
        event: "failure@5",
        status: "running",
        message: null,
        claimedBy: "host:1",
        claimedAt: "2026-01-05T02:00:00.000Z",
        finishedAt: null,
      },
      {
        dagId: "etl",
        runId: "r1",
        taskId: "load",
        mapIndex: -1,
        tryNumber: 2,
        event: "failure",
        status: "timed_out",
        message: "notify: callback exceeded its time limit of 60s and was killed",
        claimedBy: "host:1",
        claimedAt: "2026-01-05T01:00:00.000Z",
        finishedAt: "2026-01-05T01:01:00.000Z",
      },
    ]);
    const byRun = await h.app.inject({ url: "/api/v1/callbacks?runId=r9&limit=1", headers: await h.bearer("viewer") });
    expect((byRun.json() as { callbacks: { dagId: string }[] }).callbacks.map((c) => c.dagId)).toEqual(["other"]);
    expect((await h.app.inject({ url: "/api/v1/callbacks?limit=0", headers: await h.bearer("viewer") })).statusCode).toBe(400);
    expect((await h.app.inject({ url: "/api/v1/callbacks" })).statusCode).toBe(401);
  });
});
