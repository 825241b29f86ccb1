import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newRun, taskInstance } from "../../store/contract/fixtures.js";
import { apiHarness, NOW, type ApiHarness } from "../testing/api-harness.js";

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
  await h.store.heartbeat("scheduler", "s1", NOW - 1000);
});
afterEach(async () => {
  await h.close();
});

type Reason = { code: string; message: string; facts: Record<string, unknown> };
type Explanation = { state: string; running: boolean; reasons: Reason[] };

async function explain(url: string): Promise<Explanation> {
  const res = await h.app.inject(url);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as Explanation;
}
const reason = (e: Explanation, code: string) => {
  const r = e.reasons.find((x) => x.code === code);
  if (!r) throw new Error(`no ${code} in ${JSON.stringify(e.reasons.map((x) => x.code))}`);
  return r;
};

/** A run of etl in `state` with its three task instances as given (else none). */
async function etlRun(
  runId: string,
  state: "queued" | "running",
  tis: Record<string, Partial<Parameters<typeof taskInstance>[1]>> = {},
  over: Parameters<typeof newRun>[2] = {},
) {
  return h.store.createRun(
    newRun("etl", runId, { dagVersion: "etl-v1", state, runAfter: NOW - 60_000, ...over }),
    ["extract", "load", "report"].map((t) => taskInstance(t, tis[t] ?? {})),
  );
}

describe("GET /api/v1/dags/{dagId}/explain", () => {
  it("says a paused DAG is paused, with the next run it would make", async () => {
    await h.store.setDagPaused("etl", true);
    const e = await explain("/api/v1/dags/etl/explain");
    expect(e.state).toBe("paused");
    expect(e.running).toBe(false);
    expect(e.reasons.map((r) => r.code)).toEqual(["dag_paused", "next_run"]);
    expect(reason(e, "dag_paused").message).toContain("baton dags unpause etl");
  });

  it("names the run holding max active runs while another is queued", async () => {
    await etlRun("r0", "running", { extract: { state: "running" } });
    await etlRun("r1", "queued");
    const e = await explain("/api/v1/dags/etl/explain");
    expect(e).toMatchObject({ state: "running", running: true });
    expect(reason(e, "max_active_runs").facts).toMatchObject({ limit: 1, activeRuns: [{ runId: "r0" }] });
    expect(reason(e, "run_queued").facts).toMatchObject({ queued: [{ runId: "r1" }] });
  });

  it("answers 404 for an unknown DAG", async () => {
    const res = await h.app.inject("/api/v1/dags/nope/explain");
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toContain('unknown DAG "nope"');
  });
});

describe("GET /api/v1/dags/{dagId}/runs/{runId}/explain", () => {
  it("names the runs holding max active runs, and says paused", async () => {
    await etlRun("r0", "running", { extract: { state: "running" } });
    await etlRun("r1", "queued");
    let e = await explain("/api/v1/dags/etl/runs/r1/explain");
    expect(e).toMatchObject({ state: "queued", running: false });
    expect(e.reasons.map((r) => r.code)).toEqual(["max_active_runs"]);
    expect(e.reasons[0]!.message).toBe('DAG "etl" allows 1 active run (maxActiveRuns) and run r0 holds it: a queued run starts when one of them finishes.');
    await h.store.setDagPaused("etl", true);
    e = await explain("/api/v1/dags/etl/runs/r1/explain");
    expect(e.reasons.map((r) => r.code)).toEqual(["dag_paused", "max_active_runs"]);
  });

  it("lists a running run's waiting tasks with their reasons", async () => {
    await etlRun("r1", "running", { extract: { state: "running", tryNumber: 1 } });
    const e = await explain("/api/v1/dags/etl/runs/r1/explain");
    expect(e.running).toBe(true);
    expect(e.reasons.map((r) => [r.facts.taskId, (r.facts.reasons as Reason[])[0]!.code])).toEqual([
      ["load", "upstream_waiting"],
      ["report", "upstream_waiting"],
    ]);
  });

  it("says no scheduler is alive when the last heartbeat is old", async () => {
    await h.store.heartbeat("scheduler", "s1", NOW - 120_000);
    await etlRun("r1", "queued");
    const e = await explain("/api/v1/dags/etl/runs/r1/explain");
    expect(reason(e, "no_scheduler").facts).toMatchObject({ lastHeartbeatAt: new Date(NOW - 120_000).toISOString() });
  });

  it("gives a finished run's final state and failed task", async () => {
    const run = await etlRun("r1", "running", {
      extract: { state: "failed", error: "boom" },
      load: { state: "upstream_failed" },
      report: { state: "upstream_failed" },
    });
    await h.store.commit({ runs: [{ id: run!.id, state: "failed", endedAt: NOW }] });
    const e = await explain("/api/v1/dags/etl/runs/r1/explain");
    expect(e.reasons).toEqual([
      expect.objectContaining({ code: "run_finished", facts: expect.objectContaining({ state: "failed", failedTasks: ["extract"] }) }),
    ]);
  });

  it("answers 404 for an unknown run", async () => {
    const res = await h.app.inject("/api/v1/dags/etl/runs/nope/explain");
    expect(res.statusCode).toBe(404);
    expect(res.json().error.message).toContain('has no run "nope"');
  });
});

describe("GET /api/v1/dags/{dagId}/runs/{runId}/tasks/{taskId}/explain", () => {
  it("names the task instance holding the full pool", async () => {
    await h.store.upsertPool({ name: "db", slots: 1, description: "" });
    await h.store.createRun(newRun("other", "o1", { dagVersion: "other-v1", state: "running" }), [
      taskInstance("extract", { pool: "db", state: "running", tryNumber: 1 }),
    ]);
    await etlRun("r1", "running", { extract: { pool: "db" } });
    const e = await explain("/api/v1/dags/etl/runs/r1/tasks/extract/explain");
    expect(e).toMatchObject({ state: "none", running: false });
    const r = reason(e, "pool_full");
    expect(r.facts).toEqual({
      pool: "db",
      slots: 1,
      used: 1,
      needed: 1,
      holders: [{ dagId: "other", runId: "o1", taskId: "extract", mapIndex: -1, state: "running", pool: "db", poolSlots: 1 }],
    });
    expect(r.message).toBe('Task "extract" waits for 1 slot of pool "db": 1 of its 1 are taken by "extract" of other/o1 (running).');
  });

  it("names the upstream it waits for (running) and the one that failed", async () => {
    await etlRun("r1", "running", { extract: { state: "running" } });
    let r = reason(await explain("/api/v1/dags/etl/runs/r1/tasks/load/explain"), "upstream_waiting");
    expect(r.facts).toEqual({ triggerRule: "all_success", waitingFor: [{ taskId: "extract", state: "running" }], done: [] });
    await etlRun("r2", "running", { extract: { state: "failed" }, load: { state: "upstream_failed", endedAt: NOW } });
    r = reason(await explain("/api/v1/dags/etl/runs/r2/tasks/load/explain"), "finished");
    expect(r.facts).toMatchObject({ state: "upstream_failed", triggerRule: "all_success", upstream: [{ taskId: "extract", state: "failed" }] });
    expect(r.message).toContain('upstream "extract" (failed) has not succeeded');
  });

  it("says until when a task waits to retry", async () => {
    await etlRun("r1", "running", { extract: { state: "up_for_retry", tryNumber: 1, maxTries: 3, nextRetryAt: NOW + 90_000, error: "Error: flaky" } });
    const r = reason(await explain("/api/v1/dags/etl/runs/r1/tasks/extract/explain"), "retry_wait");
    expect(r.facts).toEqual({ retryAt: new Date(NOW + 90_000).toISOString(), tryNumber: 1, maxTries: 3, lastError: "Error: flaky" });
    expect(r.message).toContain("(in 1 min)");
  });

  it("gives a waiting sensor's pokes and timeout", async () => {
    const trigger = {
      kind: "file",
      args: { path: "/in/*.csv" },
      pokeIntervalMs: 60_000,
      exponentialBackoff: false,
      maxWaitMs: null,
      timeoutMs: 7_200_000,
      timeoutAt: NOW + 3_600_000,
      softFail: false,
      key: "k",
    };
    await etlRun("r1", "running", {
      extract: { state: "deferred", tryNumber: 1, sensorWait: { firstPokeAt: NOW - 3_600_000, pokes: 61, trigger } },
      load: { state: "up_for_reschedule", tryNumber: 1, nextRetryAt: NOW + 30_000, sensorWait: { firstPokeAt: NOW - 600_000, pokes: 5, trigger: null } },
    });
    const d = reason(await explain("/api/v1/dags/etl/runs/r1/tasks/extract/explain"), "sensor_deferred");
    expect(d.facts).toEqual({
      mode: "deferred",
      check: "file",
      pokes: 61,
      firstPokeAt: new Date(NOW - 3_600_000).toISOString(),
      pokeIntervalMs: 60_000,
      timeoutAt: new Date(NOW + 3_600_000).toISOString(),
      softFail: false,
    });
    const s = reason(await explain("/api/v1/dags/etl/runs/r1/tasks/load/explain"), "sensor_rescheduled");
    expect(s.facts).toMatchObject({ mode: "reschedule", pokes: 5, nextPokeAt: new Date(NOW + 30_000).toISOString() });
  });

  it("explains a copy of a mapped task by mapIndex; 404 for a missing copy or task, 400 for a bad mapIndex", async () => {
    const run = await etlRun("r1", "running", { extract: { state: "running" } });
    await h.store.commit({
      taskInstances: [taskInstance("extract", { runPk: run!.id, mapIndex: 0, state: "up_for_retry", nextRetryAt: NOW + 1000, tryNumber: 1, maxTries: 2 })],
    });
    const e = await explain("/api/v1/dags/etl/runs/r1/tasks/extract/explain?mapIndex=0");
    expect(e.reasons[0]!.code).toBe("retry_wait");
    expect(e.reasons[0]!.message).toMatch(/^Copy 0 of task "extract"/);
    expect((await h.app.inject("/api/v1/dags/etl/runs/r1/tasks/extract/explain?mapIndex=5")).statusCode).toBe(404);
    expect((await h.app.inject("/api/v1/dags/etl/runs/r1/tasks/nope/explain")).statusCode).toBe(404);
    const bad = await h.app.inject("/api/v1/dags/etl/runs/r1/tasks/extract/explain?mapIndex=x");
    expect(bad.statusCode).toBe(400);
  });

  it("needs a signed-in viewer outside local mode", async () => {
    const req = await apiHarness({ mode: "required" });
    try {
      expect((await req.app.inject("/api/v1/dags/etl/explain")).statusCode).toBe(401);
      const ok = await req.app.inject({ url: "/api/v1/dags/etl/explain", headers: await req.bearer("viewer") });
      expect(ok.statusCode).toBe(200);
    } finally {
      await req.close();
    }
  });
});
