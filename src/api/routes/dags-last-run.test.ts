import { afterEach, beforeEach, expect, it } from "vitest";
import { newRun } from "../../store/contract/fixtures.js";
import { apiHarness, NOW, type ApiHarness } from "../testing/api-harness.js";

// The DAG list's last run (state and times), for its sortable "Last run" columns and the "failing" filter.

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
});
afterEach(async () => {
  await h.close();
});

it("each DAG carries its newest run with start and end, or null before the first run", async () => {
  await h.store.createRun(newRun("etl", "older", { dagVersion: "etl-v1", logicalDate: NOW - 7_200_000 }), []);
  const newest = await h.store.createRun(newRun("etl", "newest", { dagVersion: "etl-v1", logicalDate: NOW - 3_600_000 }), []);
  await h.store.commit({ runs: [{ id: newest!.id, state: "failed", startedAt: NOW - 60_000, endedAt: NOW - 1_000 }] });

  const list = (await h.app.inject("/api/v1/dags")).json();
  const etl = list.dags.find((d: { dagId: string }) => d.dagId === "etl");
  expect(etl.lastRun).toEqual({
    runId: "newest",
    state: "failed",
    logicalDate: new Date(NOW - 3_600_000).toISOString(),
    startedAt: new Date(NOW - 60_000).toISOString(),
    endedAt: new Date(NOW - 1_000).toISOString(),
  });
  expect(etl.lastRun.runId).toBe(etl.recentRuns[0].runId);
  expect(list.dags.find((d: { dagId: string }) => d.dagId === "other").lastRun).toBeNull();
  expect((await h.app.inject("/api/v1/dags/etl")).json().lastRun.state).toBe("failed");
});
