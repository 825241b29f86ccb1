import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WorkerRecord } from "../../core/model/workers.js";
import { newRun, taskInstance } from "../../store/contract/fixtures.js";
import { apiHarness, NOW, type ApiHarness } from "../testing/api-harness.js";

// GET /api/v1/overview over a real SQLite store: components judged by the liveness settings, and
// what needs attention now (docs/ui.md#home).

const LIVENESS = { schedulerHeartbeatMs: 1_000, schedulerLeaseMs: 8_000, workerHeartbeatMs: 2_000, workerLostMs: 10_000 };
const HOUR = 3_600_000;

let h: ApiHarness;
beforeEach(async () => {
  // The harness builds the store; the closures read it at request time.
  h = await apiHarness({
    mode: "required",
    leases: { listSchedulerLeases: () => h.store.listSchedulerLeases() },
    overview: { schedulerLoads: () => h.store.overview.schedulerLoads(), countRuns: (since) => h.store.overview.countRuns(since) },
    liveness: LIVENESS,
    version: "9.9.9",
  });
});
afterEach(async () => {
  await h.close();
});

type Component = {
  kind: string;
  id: string;
  name: string;
  state: string;
  level: string;
  version: string | null;
  load: { dags: number; queuedRuns: number; runningRuns: number } | null;
  detail: string | null;
};

async function overview() {
  const res = await h.app.inject({ method: "GET", url: "/api/v1/overview", headers: await h.bearer("viewer") });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    level: string;
    components: Component[];
    runs: Record<string, unknown> & { recentFailed: { dagId: string; runId: string }[] };
    [k: string]: unknown;
  };
}
const byId = (components: Component[], id: string) => components.find((c) => c.id === id);

function worker(id: string, over: Partial<WorkerRecord> = {}): WorkerRecord {
  return {
    id,
    name: id,
    host: `${id}.example`,
    pid: 1,
    tokenId: "t",
    queues: ["gpu"],
    concurrency: 2,
    running: 1,
    version: "1.2.3",
    state: "active",
    startedAt: NOW - HOUR,
    lastSeenAt: NOW,
    stateChangedAt: NOW - HOUR,
    reason: null,
    ...over,
  };
}

describe("GET /api/v1/overview", () => {
  it("needs a signed-in viewer", async () => {
    expect((await h.app.inject({ method: "GET", url: "/api/v1/overview" })).statusCode).toBe(401);
  });

  it("a scheduler whose heartbeat expires turns late, then lost; its load is its DAGs' unfinished runs; fenced ones are lost (adopted) or stopped", async () => {
    const lease = (id: string, beatAt: number) => ({ id, host: "box", pid: id.length, version: "9.9.9", startedAt: NOW - HOUR, beatAt });
    await h.store.registerScheduler(lease("s-a", NOW));
    await h.store.registerScheduler(lease("s-gone", NOW));
    await h.store.registerScheduler(lease("s-quit", NOW));
    expect(await h.store.claimDags("s-a", 10)).toEqual(["etl", "other"]);
    await h.store.createRun(newRun("etl", "q1"), [taskInstance("extract")]);
    const running = (await h.store.createRun(newRun("etl", "r1"), [taskInstance("extract")]))!;
    await h.store.commit({ runs: [{ id: running.id, state: "running" }] });
    expect(await h.store.fenceScheduler("s-gone", 0, "s-a", NOW - 60_000)).toBe(true);
    expect(await h.store.fenceScheduler("s-quit", 0, "s-quit", NOW - 60_000)).toBe(true);
    await h.store.beatScheduler("s-a", NOW);

    let o = await overview();
    expect(byId(o.components, "s-a")).toMatchObject({
      kind: "scheduler",
      state: "healthy",
      level: "ok",
      version: "9.9.9",
      load: { dags: 2, queuedRuns: 1, runningRuns: 1 },
    });
    expect(byId(o.components, "s-gone")).toMatchObject({
      state: "lost",
      level: "warning",
      detail: "fenced by s-a; its work was adopted",
      load: { dags: 0, queuedRuns: 0, runningRuns: 0 },
    });
    expect(byId(o.components, "s-quit")).toMatchObject({ state: "stopped", level: "inactive" });
    expect(o.components.filter((c) => c.kind === "triggerer" || c.kind === "dag-processor").map((c) => [c.kind, c.state])).toEqual([
      ["triggerer", "healthy"],
      ["dag-processor", "healthy"],
    ]);
    expect(o.components.find((c) => c.kind === "api")).toMatchObject({ state: "healthy", version: "9.9.9" });
    expect(o.level).toBe("warning"); // the adopted scheduler

    h.clock.now = NOW + 4_000; // past an idle beat (lease / 4) and a heartbeat of slack, within the lease
    o = await overview();
    expect(byId(o.components, "s-a")).toMatchObject({ state: "late", level: "warning" });
    expect(o.components.find((c) => c.kind === "triggerer")).toMatchObject({ state: "late" });

    h.clock.now = NOW + 9_000; // past BATON_SCHEDULER_LEASE_MS, and nobody fenced it
    o = await overview();
    expect(byId(o.components, "s-a")).toMatchObject({ state: "lost", level: "critical" });
    expect(o.components.find((c) => c.kind === "dag-processor")).toMatchObject({ state: "lost", level: "critical" });
    expect(o.level).toBe("critical");

    h.clock.now = NOW + 2 * HOUR; // fenced leases are listed for an hour
    o = await overview();
    expect(o.components.filter((c) => c.kind === "scheduler").map((c) => c.id)).toEqual(["s-a"]);
  });

  it("workers by their last heartbeat: healthy, late, lost (declared, or silent past BATON_WORKER_LOST_MS), stopped; the queues they serve", async () => {
    await h.store.workers.upsertWorker(worker("w-ok", { lastSeenAt: NOW - 1_000 }));
    await h.store.workers.upsertWorker(worker("w-late", { lastSeenAt: NOW - 7_000 }));
    await h.store.workers.upsertWorker(worker("w-silent", { lastSeenAt: NOW - 11_000 }));
    await h.store.workers.upsertWorker(
      worker("w-killed", {
        state: "lost",
        lastSeenAt: NOW - 30_000,
        stateChangedAt: NOW - 20_000,
        reason: "worker w-killed lost: not heard from for more than 10000 ms (BATON_WORKER_LOST_MS)",
      }),
    );
    await h.store.workers.upsertWorker(worker("w-done", { state: "stopped", stateChangedAt: NOW - 60_000, reason: "shut down (SIGTERM)" }));
    await h.store.workers.upsertWorker(worker("w-old", { state: "lost", stateChangedAt: NOW - 2 * HOUR }));
    const o = await overview();
    const workers = o.components.filter((c) => c.kind === "worker");
    expect(Object.fromEntries(workers.map((w) => [w.id, [w.state, w.level]]))).toEqual({
      "w-ok": ["healthy", "ok"],
      "w-late": ["late", "warning"],
      "w-silent": ["lost", "critical"],
      "w-killed": ["lost", "critical"],
      "w-done": ["stopped", "inactive"],
    });
    expect(byId(o.components, "w-killed")?.detail).toContain("BATON_WORKER_LOST_MS");
    expect(o.queues).toEqual([{ queue: "gpu", queued: 0, running: 0, workers: 3 }]);
    expect(o.level).toBe("critical");
  });

  it("failed runs of the last 24 hours, running runs, import errors, missed deadlines, anomalies and near-full pools", async () => {
    const make = async (runId: string, state: "running" | "failed", endedAt: number | null) => {
      const r = (await h.store.createRun(newRun("etl", runId), [
        taskInstance("extract", state === "running" ? { state: "running", pool: "db", poolSlots: 1 } : {}),
      ]))!;
      await h.store.commit({
        runs: [{ id: r.id, state, ...(endedAt === null ? {} : { endedAt }) }],
        taskInstances: [taskInstance("extract", { runPk: r.id, state: state === "running" ? "running" : "failed", pool: "db", poolSlots: 1 })],
      });
      return r;
    };
    await make("broke-yesterday", "failed", NOW - 30 * HOUR);
    const failed = await make("broke", "failed", NOW - HOUR);
    await make("busy", "running", null);
    await h.store.upsertPool({ name: "db", slots: 1, description: "" });
    await h.store.upsertPool({ name: "roomy", slots: 10, description: "" });
    await h.store.replaceImportErrors("/dags/bad.ts", [{ file: "/dags/bad.ts", line: 3, column: 1, message: "SyntaxError: nope", at: NOW }]);
    await h.store.deadlines.recordMissedDeadline({
      dagId: "etl",
      runId: "broke",
      runPk: failed.id,
      taskId: null,
      mapIndex: -1,
      tryNumber: 0,
      deadlineIndex: 0,
      description: "logicalDate + 1h",
      dueAt: NOW - HOUR,
      detectedAt: NOW - 60_000,
    });
    await h.store.anomalies.recordAnomaly({
      dagId: "etl",
      runId: "broke",
      runPk: failed.id,
      taskId: "extract",
      mapIndex: -1,
      tryNumber: 1,
      metric: "duration",
      value: 90,
      median: 10,
      mad: 1,
      score: 54,
      points: 20,
      season: "none",
      detectedAt: NOW - 60_000,
    });

    const o = await overview();
    expect(o.runs).toMatchObject({ queued: 0, running: 1, failed: 1 });
    expect(o.runs.recentFailed.map((r) => r.runId)).toEqual(["broke"]);
    expect((o.runs.recentRunning as { runId: string }[]).map((r) => r.runId)).toEqual(["busy"]);
    expect(o.importErrors).toEqual({ count: 1, items: [{ file: "/dags/bad.ts", line: 3, message: "SyntaxError: nope", at: new Date(NOW).toISOString() }] });
    expect(o.missedDeadlines).toMatchObject({ count: 1, more: false, items: [{ dagId: "etl", runId: "broke", description: "logicalDate + 1h" }] });
    expect(o.anomalies).toMatchObject({ count: 1, items: [{ dagId: "etl", taskId: "extract", metric: "duration", value: 90 }] });
    expect(o.pools).toEqual([{ name: "db", slots: 1, queuedSlots: 0, runningSlots: 1, openSlots: 0, full: true }]);
    expect(o.taskInstances).toEqual({ queued: 0, running: 1 });
  });
});
