import { afterEach, beforeEach, expect, it } from "vitest";
import { apiHarness, NOW, type ApiHarness } from "../testing/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});
afterEach(async () => {
  await h.close();
});

async function search(query: string, headers: Record<string, string> = {}) {
  return h.app.inject({ method: "GET", url: `/api/v1/search?${query}`, headers });
}

it("finds a DAG, its tasks (with the newest run to open them in), runs and datasets, grouped by kind", async () => {
  const trigger = await h.app.inject({ method: "POST", url: "/api/v1/dags/etl/runs", payload: { runId: "load_backfill_1" } });
  expect(trigger.statusCode).toBe(201);
  await h.store.recordDatasetEvents([{ uri: "warehouse://loads", source: null, extra: {}, createdAt: NOW }]);

  const res = await search("q=%20LOAD%20");
  expect(res.statusCode).toBe(200);
  const body = res.json();
  expect(body.query).toBe("LOAD");
  expect(body.dags).toEqual([]);
  expect(body.tasks).toEqual([
    { dagId: "etl", taskId: "load", kind: "function", latestRunId: "load_backfill_1" },
    { dagId: "other", taskId: "load", kind: "function", latestRunId: null },
  ]);
  expect(body.runs).toEqual([
    {
      dagId: "etl",
      runId: "load_backfill_1",
      state: "queued",
      runType: "manual",
      logicalDate: new Date(NOW).toISOString(),
      createdAt: new Date(NOW).toISOString(),
    },
  ]);
  expect(body.datasets).toEqual([{ uri: "warehouse://loads", eventCount: 1 }]);

  const byTag = (await search("q=misc")).json();
  expect(byTag.dags).toEqual([
    { dagId: "other", description: expect.any(String), owner: null, tags: ["misc"], paused: false, matched: "tag", latestRun: null },
  ]);
  const etl = (await search("q=etl")).json();
  expect(etl.dags.map((d: { dagId: string }) => d.dagId)).toEqual(["etl"]);
  expect(etl.dags[0].latestRun).toEqual({ runId: "load_backfill_1", state: "queued" });
});

it("caps each kind at `limit` and validates the query", async () => {
  for (const runId of ["r_a", "r_b", "r_c"]) await h.app.inject({ method: "POST", url: "/api/v1/dags/etl/runs", payload: { runId } });
  expect((await search("q=r_&limit=2")).json().runs.map((r: { runId: string }) => r.runId)).toEqual(["r_c", "r_b"]);
  expect((await search("")).statusCode).toBe(400);
  expect((await search("q=x&limit=51")).statusCode).toBe(400);
  expect((await search(`q=${"x".repeat(201)}`)).statusCode).toBe(400);
  expect((await search("q=%20%20")).json()).toEqual({ query: "", dags: [], runs: [], tasks: [], datasets: [] });
});

it("is open to viewers when authentication is required, and closed to anonymous requests", async () => {
  await h.close();
  h = await apiHarness({ mode: "required" });
  expect((await search("q=etl")).statusCode).toBe(401);
  const ok = await search("q=etl", await h.bearer("viewer"));
  expect(ok.statusCode).toBe(200);
  expect(ok.json().dags[0].dagId).toBe("etl");
});
