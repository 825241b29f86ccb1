import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DagRecord } from "../../src/core/model/records.js";
import { runsToStart } from "../../src/scheduler/queued-runs.js";
import { dagVersion, newRun } from "../../src/store/contract/fixtures.js";
import { PostgresTestDatabases, probePostgres, TEST_PG_URL } from "../../src/store/contract/postgres-test-databases.js";
import type { FullStore } from "../../src/store/full-store.js";
import { openPostgresStore } from "../../src/store/postgres/open-postgres-store.js";

/**
 * docs/scheduling.md#pausing-a-backfill: the pause is a column of the backfill, read by every
 * scheduler each tick where it pages a backfill's queued runs. Two schedulers on one PostgreSQL
 * database (each its own connection pool) and an API server pausing through a third: neither
 * scheduler starts the paused backfill's runs; once unpaused, both would.
 */
let unreachable: string | undefined;
let dbs: PostgresTestDatabases | undefined;
beforeAll(async () => {
  unreachable = await probePostgres(TEST_PG_URL);
  if (!unreachable) dbs = await PostgresTestDatabases.create(TEST_PG_URL);
});
afterAll(async () => dbs?.dispose());

describe("a paused backfill with several schedulers on PostgreSQL", () => {
  it("no scheduler starts its queued runs while it is paused; the DAG's own runs go on; unpaused, they start", async (t) => {
    if (unreachable || !dbs) {
      console.warn(`skipping backfill pause with several schedulers: PostgreSQL at ${TEST_PG_URL} is unreachable (${unreachable})`);
      t.skip();
      return;
    }
    const url = await dbs.clone();
    const api: FullStore = await openPostgresStore(url);
    const schedulers = await Promise.all([openPostgresStore(url), openPostgresStore(url)]);
    try {
      await api.saveDagVersion(dagVersion("etl", "v1"));
      const b = await api.createBackfill({ dagId: "etl", fromDate: 0, toDate: 10, reprocess: "none", maxActiveRuns: 2, conf: {} });
      await api.createRun(newRun("etl", "own", { logicalDate: 100, runAfter: 0, dagVersion: "v1" }), []);
      for (const i of [1, 2, 3])
        await api.createRun(newRun("etl", `bf-${i}`, { logicalDate: i, runAfter: 0, dagVersion: "v1", runType: "backfill", backfillId: b.id }), []);
      const dags = new Map<string, DagRecord>([["etl", (await api.getDag("etl"))!]]);
      const tick = async (store: FullStore) =>
        (await runsToStart({ store, dags, active: [], maxActiveRuns: async () => 16, now: 10 })).map((r) => r.runId).sort();

      expect(await api.setBackfillPaused(b.id, true)).toMatchObject({ paused: true });
      for (const s of schedulers) expect(await tick(s)).toEqual(["own"]);
      expect(await api.setBackfillPaused(b.id, false)).toMatchObject({ paused: false });
      for (const s of schedulers) expect(await tick(s)).toEqual(["bf-1", "bf-2", "own"]);
    } finally {
      await Promise.all([api, ...schedulers].map((s) => s.close()));
    }
  });
});
