import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dagSpec, newRun, taskInstance, taskSpec } from "../../store/contract/fixtures.js";
import { apiHarness, etlSpec, NOW, type ApiHarness } from "../testing/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});
afterEach(async () => {
  await h.close();
});

describe("GET /api/v1/dags/:dagId/grid", () => {
  it("gives one cell per task of the latest spec, null where an older version lacks the task", async () => {
    // r-old ran version v0 (no "report" task, plus a task since removed).
    await h.store.createRun(newRun("etl", "r-old", { dagVersion: "etl-v0" }), [
      taskInstance("extract", { state: "success", tryNumber: 1 }),
      taskInstance("gone"),
    ]);
    await h.store.createRun(newRun("etl", "r-new", { dagVersion: "etl-v1" }), [
      taskInstance("extract", { state: "failed", tryNumber: 2 }),
      taskInstance("load", { state: "upstream_failed" }),
      taskInstance("report"),
    ]);
    const res = await h.app.inject("/api/v1/dags/etl/grid");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      tasks: [
        { taskId: "extract", kind: "function", upstream: [] },
        { taskId: "load", kind: "function", upstream: ["extract"] },
        { taskId: "report", kind: "shell", upstream: ["load"] },
      ],
      runs: [
        {
          runId: "r-new",
          state: "queued",
          runType: "manual",
          logicalDate: null,
          startedAt: null,
          endedAt: null,
          note: null,
          tasks: [
            { state: "failed", tryNumber: 2 },
            { state: "upstream_failed", tryNumber: 0 },
            { state: "none", tryNumber: 0 },
          ],
        },
        {
          runId: "r-old",
          state: "queued",
          runType: "manual",
          logicalDate: null,
          startedAt: null,
          endedAt: null,
          note: null,
          tasks: [{ state: "success", tryNumber: 1 }, null, null],
        },
      ],
      nextCursor: null,
    });
  });

  it("carries the run's note (why it ended as it did) so the grid can mark the run", async () => {
    const run = (await h.store.createRun(newRun("etl", "r-stopped", { dagVersion: "etl-v1" }), [taskInstance("extract")]))!;
    await h.store.commit({ runs: [{ id: run.id, state: "failed", endedAt: NOW, note: "stopped by ada" }] });
    const grid = (await h.app.inject("/api/v1/dags/etl/grid")).json();
    expect(grid.runs[0]).toMatchObject({ runId: "r-stopped", state: "failed", note: "stopped by ada" });
  });

  it("follows the latest spec's task order after a new version", async () => {
    await h.store.saveDagVersion({
      versionHash: "etl-v2",
      dagId: "etl",
      spec: { ...etlSpec(), tasks: [taskSpec("load"), taskSpec("extract")] },
      source: "",
      bundlePath: "/b",
      createdAt: NOW,
    });
    const grid = (await h.app.inject("/api/v1/dags/etl/grid")).json();
    expect(grid.tasks.map((t: { taskId: string }) => t.taskId)).toEqual(["load", "extract"]);
  });

  it("pages runs newest first with the cursor (default 25, max 100)", async () => {
    for (let i = 0; i < 30; i++) await h.store.createRun(newRun("etl", `r${i}`, { dagVersion: "etl-v1" }), [taskInstance("extract")]);
    const first = (await h.app.inject("/api/v1/dags/etl/grid")).json();
    expect(first.runs).toHaveLength(25);
    expect(first.runs[0].runId).toBe("r29");
    const second = (await h.app.inject(`/api/v1/dags/etl/grid?cursor=${first.nextCursor}`)).json();
    expect(second.runs.map((r: { runId: string }) => r.runId)).toEqual(["r4", "r3", "r2", "r1", "r0"]);
    expect(second.nextCursor).toBeNull();
    const big = await h.app.inject("/api/v1/dags/etl/grid?limit=101");
    expect(big.statusCode).toBe(400);
    expect(big.json().error.field).toBe("limit");
    const badCursor = await h.app.inject("/api/v1/dags/etl/grid?cursor=%F0%9F%92%A9");
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().error.field).toBe("cursor");
  });

  it("answers 404 for an unknown DAG and shows an empty grid for a DAG without runs", async () => {
    expect((await h.app.inject("/api/v1/dags/nope/grid")).statusCode).toBe(404);
    await h.store.saveDagVersion({
      versionHash: "e-v1",
      dagId: "empty",
      spec: { ...dagSpec("empty"), tasks: [] },
      source: "",
      bundlePath: "/b",
      createdAt: NOW,
    });
    expect((await h.app.inject("/api/v1/dags/empty/grid")).json()).toEqual({ tasks: [], runs: [], nextCursor: null });
  });
});
