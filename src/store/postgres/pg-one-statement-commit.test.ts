import pg from "pg";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { FencedError } from "../../core/errors.js";
import { attempt, manyTaskInstances, newRun, taskInstance } from "../contract/fixtures.js";
import { PostgresTestDatabases, probePostgres, TEST_PG_URL } from "../contract/postgres-test-databases.js";
import type { FullStore } from "../full-store.js";
import { openPostgresStore } from "./open-postgres-store.js";

const unreachable = await probePostgres(TEST_PG_URL);
const lease = (id: string) => ({ id, host: "h", pid: 7, version: "0.0.0", startedAt: 1 });

/** The scheduler's group commit on PostgreSQL: one statement, fenced like the transaction it replaces (docs/storage.md). */
describe.skipIf(unreachable !== undefined)("PostgreSQL group commit in one statement", () => {
  let dbs: PostgresTestDatabases;
  beforeAll(async () => {
    dbs = await PostgresTestDatabases.create(TEST_PG_URL);
  });
  afterAll(async () => {
    await dbs?.dispose();
  });

  async function withStore(body: (store: FullStore, url: string) => Promise<void>): Promise<void> {
    const url = await dbs.clone();
    const store = await openPostgresStore(url);
    try {
      await body(store, url);
    } finally {
      await store.close();
      await dbs.drop(url);
    }
  }

  it("writes a run patch, task instances and their new attempts in one round trip", async () => {
    await withStore(async (store) => {
      await store.registerScheduler(lease("a"));
      const run = (await store.createRun(newRun("etl", "r1"), [taskInstance("t")]))!;
      const spy = vi.spyOn(pg.Client.prototype, "query"); // calls through
      try {
        await store.commit(
          {
            runs: [{ id: run.id, state: "running", startedAt: 5 }],
            taskInstances: [
              taskInstance("t", { runPk: run.id, state: "queued", tryNumber: 1 }),
              taskInstance("u", { runPk: run.id, state: "queued", tryNumber: 1 }),
            ],
            attempts: [attempt(run.id, "u", 1, { state: "queued", logPath: "/logs/u" })],
          },
          { schedulerId: "a" },
        );
        expect(spy).toHaveBeenCalledTimes(1);
      } finally {
        spy.mockRestore();
      }
      expect(await store.getRunById(run.id)).toMatchObject({ state: "running", startedAt: 5, note: null });
      expect((await store.listTaskInstances(run.id)).map((ti) => [ti.taskId, ti.state])).toEqual([
        ["t", "queued"],
        ["u", "queued"],
      ]);
      // A rewrite without the log path keeps it (recovery of an interrupted attempt).
      await store.commit({ attempts: [attempt(run.id, "u", 1, { state: "failed", logPath: null })] }, { schedulerId: "a" });
      expect(await store.listAttempts(run.id, "u")).toMatchObject([{ state: "failed", logPath: "/logs/u" }]);
    });
  });

  it("a commit that meets a fence in progress waits for it, then writes nothing and throws FencedError", async () => {
    await withStore(async (store, url) => {
      await store.registerScheduler(lease("a"));
      const run = (await store.createRun(newRun("etl", "r1"), [taskInstance("t")]))!;
      const fencer = new pg.Client({ connectionString: url });
      await fencer.connect();
      try {
        await fencer.query("BEGIN");
        await fencer.query("UPDATE scheduler_leases SET fenced_at = 9, fenced_by = 'b' WHERE id = 'a'");
        let settled = false;
        const commit = store.commit(
          {
            runs: [{ id: run.id, state: "success" }],
            taskInstances: [taskInstance("t", { runPk: run.id, state: "success", tryNumber: 1 })],
            attempts: [attempt(run.id, "t", 1, { state: "success" })],
          },
          { schedulerId: "a" },
        );
        commit.then(
          () => (settled = true),
          () => (settled = true),
        );
        await new Promise((r) => setTimeout(r, 300));
        expect(settled).toBe(false); // held by the fence's row lock
        await fencer.query("COMMIT");
        await expect(commit).rejects.toBeInstanceOf(FencedError);
      } finally {
        await fencer.end();
      }
      expect((await store.getRunById(run.id))?.state).toBe("queued");
      expect((await store.listTaskInstances(run.id)).map((ti) => ti.state)).toEqual(["none"]);
      expect(await store.listAttempts(run.id, "t")).toEqual([]);
    });
  });

  it("a fence waits for a commit under way; the commit lands whole", async () => {
    await withStore(async (store, url) => {
      await store.registerScheduler(lease("a"));
      const run = (await store.createRun(newRun("etl", "r1"), manyTaskInstances(3000)))!;
      const fencer = new pg.Client({ connectionString: url });
      await fencer.connect();
      try {
        const tis = (await store.listTaskInstances(run.id)).map((ti) => ({ ...ti, state: "queued" as const, tryNumber: 1 }));
        const commit = store.commit(
          { taskInstances: tis, attempts: tis.map((ti) => attempt(run.id, ti.taskId, 1, { state: "queued", mapIndex: ti.mapIndex })) },
          { schedulerId: "a" },
        );
        await new Promise((r) => setTimeout(r, 5));
        const fenced = fencer.query("UPDATE scheduler_leases SET fenced_at = 9, fenced_by = 'b' WHERE id = 'a' AND fenced_at IS NULL");
        const outcome = await commit.then(
          () => "landed",
          (e: unknown) => (e instanceof FencedError ? "fenced" : e),
        );
        expect((await fenced).rowCount).toBe(1);
        const queued = (await store.listTaskInstances(run.id)).filter((ti) => ti.state === "queued").length;
        // Either the commit locked the lease first and landed whole, or the fence came first and nothing was written.
        expect([outcome, queued]).toEqual(outcome === "landed" ? ["landed", 3000] : ["fenced", 0]);
      } finally {
        await fencer.end();
      }
    });
  });
});
