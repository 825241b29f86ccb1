import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { explainRun } from "../../core/explain/explain-run.js";
import { explainTask } from "../../core/explain/explain-task.js";
import { dagSpec, newRun, taskInstance, taskSpec } from "../../store/contract/fixtures.js";
import { PostgresTestDatabases, probePostgres, TEST_PG_URL } from "../../store/contract/postgres-test-databases.js";
import type { FullStore } from "../../store/full-store.js";
import { openPostgresStore } from "../../store/postgres/open-postgres-store.js";
import { redactUrl } from "../../store/postgres/pg-pool.js";
import { openSqliteStore } from "../../store/sqlite/open-sqlite-store.js";
import { gatherRunFacts } from "./explain-facts.js";

// The facts behind "why isn't it running?" read from a real store, on SQLite and PostgreSQL.

const NOW = Date.UTC(2026, 2, 1, 12);
const DAY = 86_400_000;

const unreachable = await probePostgres(TEST_PG_URL);
if (unreachable !== undefined) console.warn(`Skipping the PostgreSQL explain-facts tests: cannot use ${redactUrl(TEST_PG_URL)} (${unreachable}).`);

/** etl: a (pool db, depends_on_past) → b; maxActiveRuns 1. other: x (pool db). */
async function seed(store: FullStore): Promise<void> {
  const etl = {
    ...dagSpec("etl"),
    timezone: "UTC",
    maxActiveRuns: 1,
    maxActiveTasks: 8,
    tasks: [{ ...taskSpec("a"), pool: "db", dependsOnPast: true }, taskSpec("b", ["a"])],
  };
  await store.saveDagVersion({ versionHash: "etl-v1", dagId: "etl", spec: etl, source: "", bundlePath: "/b/etl.mjs", createdAt: NOW });
  await store.saveDagVersion({
    versionHash: "other-v1",
    dagId: "other",
    spec: { ...dagSpec("other"), timezone: "UTC" },
    source: "",
    bundlePath: "/b/o.mjs",
    createdAt: NOW,
  });
  await store.upsertPool({ name: "db", slots: 1, description: "" });
  await store.createRun(newRun("other", "o1", { dagVersion: "other-v1", state: "running" }), [
    taskInstance("x", { pool: "db", state: "running", tryNumber: 1 }),
  ]);
  await store.createRun(newRun("etl", "scheduled__d1", { runType: "scheduled", dagVersion: "etl-v1", state: "failed", logicalDate: NOW - 2 * DAY }), [
    taskInstance("a", { pool: "db", state: "failed" }),
    taskInstance("b", { state: "upstream_failed" }),
  ]);
  await store.createRun(
    newRun("etl", "scheduled__d2", { runType: "scheduled", dagVersion: "etl-v1", state: "running", logicalDate: NOW - DAY, runAfter: NOW - DAY }),
    [taskInstance("a", { pool: "db" }), taskInstance("b")],
  );
  await store.createRun(newRun("etl", "manual_q1", { dagVersion: "etl-v1", state: "queued", logicalDate: NOW - 3600_000, runAfter: NOW - 3600_000 }), [
    taskInstance("a", { pool: "db" }),
    taskInstance("b"),
  ]);
  await store.createRun(newRun("etl", "manual_q2", { dagVersion: "etl-v1", state: "queued", logicalDate: NOW - 60_000, runAfter: NOW - 60_000 }), [
    taskInstance("a", { pool: "db" }),
    taskInstance("b"),
  ]);
  await store.heartbeat("scheduler", "s1", NOW - 1000);
  await store.registerScheduler({ id: "h:1:a", host: "h", pid: 1, version: "test", startedAt: NOW - 5000 });
}

function describeFacts(name: string, open: () => Promise<{ store: FullStore; dispose(): Promise<void> }>, skip = false): void {
  describe.skipIf(skip)(`explain facts on ${name}`, () => {
    let store: FullStore;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      ({ store, dispose } = await open());
      await seed(store);
    });
    afterAll(async () => dispose?.());

    it("names the running run holding maxActiveRuns and the runs queued ahead", async () => {
      const f = await gatherRunFacts({ store, leases: store, now: NOW }, "etl", "manual_q2");
      expect(f.group).toMatchObject({ limit: 1, backfillId: null, running: [{ runId: "scheduled__d2" }] });
      expect(f.group.queued.map((r) => r.runId)).toEqual(["manual_q1", "manual_q2"]);
      expect(explainRun(f).reasons.map((r) => r.code)).toEqual(["max_active_runs", "queued_behind"]);
      expect(f.schedulers.heartbeats).toEqual([{ id: "s1", at: NOW - 1000 }]);
      expect(f.schedulers.leases?.map((l) => l.id)).toEqual(["h:1:a"]);
    });

    it("names the previous run that blocks depends_on_past, and the pool's holder from another DAG", async () => {
      const f = await gatherRunFacts({ store, leases: store, now: NOW }, "etl", "scheduled__d2");
      expect(f.previous).toMatchObject({ runId: "scheduled__d1" });
      expect(f.slots.busy).toEqual([{ dagId: "other", runId: "o1", taskId: "x", mapIndex: -1, state: "running", pool: "db", poolSlots: 1 }]);
      expect(explainTask(f, "a")!.reasons.map((r) => r.code)).toEqual(["depends_on_past"]);
      expect(explainTask(f, "a")!.reasons[0]!.facts).toMatchObject({ previousRunId: "scheduled__d1", previousState: "failed" });
      // Once the past allows it, the full pool holds it.
      const allowed = { ...f, previous: { ...f.previous!, taskInstances: [{ taskId: "a", mapIndex: -1, state: "success" as const }] } };
      expect(explainTask(allowed, "a")!.reasons.map((r) => r.code)).toEqual(["pool_full"]);
    });

    it("throws NotFoundError for an unknown DAG or run", async () => {
      await expect(gatherRunFacts({ store, now: NOW }, "nope", "r")).rejects.toThrow('unknown DAG "nope"');
      await expect(gatherRunFacts({ store, now: NOW }, "etl", "nope")).rejects.toThrow('DAG "etl" has no run "nope"');
    });
  });
}

describeFacts("SQLite", async () => {
  const dir = mkdtempSync(join(tmpdir(), "baton-explain-"));
  const store = await openSqliteStore(join(dir, "baton.db"));
  return {
    store,
    dispose: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

let pg: PostgresTestDatabases | undefined;
describeFacts(
  "PostgreSQL",
  async () => {
    pg = await PostgresTestDatabases.create(TEST_PG_URL);
    const url = await pg.clone();
    const store = await openPostgresStore(url);
    return {
      store,
      dispose: async () => {
        await store.close();
        await pg?.dispose();
      },
    };
  },
  unreachable !== undefined,
);
