import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeadlineMissed } from "../../src/core/model/domain-events.js";
import { silentLogger } from "../../src/core/ports/logger.js";
import { ManualClock } from "../../src/core/testing/manual-clock.js";
import { DeadlineWatcher } from "../../src/scheduler/deadlines/deadline-watcher.js";
import { attempt, dagVersion, newRun, taskInstance } from "../../src/store/contract/fixtures.js";
import { PostgresTestDatabases, probePostgres, TEST_PG_URL } from "../../src/store/contract/postgres-test-databases.js";
import type { FullStore } from "../../src/store/full-store.js";
import { openPostgresStore } from "../../src/store/postgres/open-postgres-store.js";

/**
 * docs/deadlines.md, "How misses are detected": every scheduler on a PostgreSQL database watches
 * every unfinished run; at the due time each reads the store and tries the insert-if-absent, so a
 * miss is recorded and published once however many schedulers race for it, and a scheduler
 * started later does not report it again.
 */
const T0 = 1_800_000_000_000;
const MINUTE = 60_000;
const HOUR_MS = 60 * MINUTE;

let unreachable: string | undefined;
let dbs: PostgresTestDatabases | undefined;
beforeAll(async () => {
  unreachable = await probePostgres(TEST_PG_URL);
  if (!unreachable) dbs = await PostgresTestDatabases.create(TEST_PG_URL);
});
afterAll(async () => dbs?.dispose());

/** One scheduler process's watcher: its own connection pool and its own clock. */
async function scheduler(url: string, at: number) {
  const store = await openPostgresStore(url);
  const clock = new ManualClock(at);
  const published: DeadlineMissed[] = [];
  const watcher = new DeadlineWatcher({ store, deadlines: store.deadlines, clock, logger: silentLogger, publish: (e) => published.push(e) });
  await watcher.start();
  return { store, clock, watcher, published };
}

async function advance(s: { clock: ManualClock; watcher: DeadlineWatcher }, ms: number): Promise<void> {
  s.clock.advance(ms);
  await new Promise((r) => setImmediate(r));
  await s.watcher.idle();
}

describe("deadlines with several schedulers on PostgreSQL", () => {
  it("three schedulers watching one late run and one long attempt record and publish each miss once", async (t) => {
    if (unreachable || !dbs) {
      console.warn(`skipping deadlines with several schedulers: PostgreSQL at ${TEST_PG_URL} is unreachable (${unreachable})`);
      t.skip();
      return;
    }
    const url = await dbs.clone();
    const setup: FullStore = await openPostgresStore(url);
    const version = dagVersion("sales", "v-deadlines");
    version.spec.deadlines = [{ reference: { kind: "queuedAt" }, intervalMs: 10 * MINUTE }];
    version.spec.tasks = version.spec.tasks.map((task) => (task.taskId === "load" ? { ...task, expectedDurationMs: 5 * MINUTE } : task));
    await setup.saveDagVersion(version);
    const run = (await setup.createRun(newRun("sales", "r1", { dagVersion: "v-deadlines", state: "running", createdAt: T0 }), [
      taskInstance("extract", { state: "success" }),
      taskInstance("load", { state: "running", tryNumber: 1, startedAt: T0 + MINUTE }),
    ]))!;
    await setup.commit({ attempts: [attempt(run.id, "load", 1, { startedAt: T0 + MINUTE })] });

    const all = await Promise.all([1, 2, 3].map(() => scheduler(url, T0 + 2 * MINUTE)));
    try {
      for (const s of all) expect(s.watcher.watching).toBe(2);
      // The attempt is due at 6m, the run at 10m: move the three clocks together.
      await Promise.all(all.map((s) => advance(s, 4 * MINUTE)));
      await Promise.all(all.map((s) => advance(s, 4 * MINUTE)));
      const published = all.flatMap((s) => s.published);
      expect(published.map((e) => [e.taskId, e.tryNumber, e.deadline, e.dueAt]).sort()).toEqual(
        [
          ["load", 1, "expectedDuration 5m", T0 + 6 * MINUTE],
          [null, 0, "queuedAt + 10m", T0 + 10 * MINUTE],
        ].sort(),
      );
      expect(await setup.deadlines.listMissedDeadlines({ dagId: "sales" })).toHaveLength(2);

      // A scheduler started later recomputes both (the run and attempt still go on) and reports nothing new.
      const later = await scheduler(url, T0 + HOUR_MS);
      all.push(later);
      expect(later.watcher.watching).toBe(2);
      await advance(later, MINUTE);
      expect(later.published).toEqual([]);
      expect(later.watcher.watching).toBe(0);
      expect(await setup.deadlines.listMissedDeadlines({ dagId: "sales" })).toHaveLength(2);
    } finally {
      for (const s of all) {
        s.watcher.stop();
        await s.store.close();
      }
      await setup.close();
      await dbs.drop(url);
    }
  });
});
