import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DagRecord, RunRecord } from "../core/model/records.js";
import type { Store } from "../core/ports/store.js";
import type { FullStore } from "../store/full-store.js";
import { openSqliteStore } from "../store/sqlite/open-sqlite-store.js";
import { newRun } from "../store/contract/fixtures.js";
import { runsToStart } from "./queued-runs.js";

/** The real store, counting the run rows its queries hand back (what a tick holds in memory). */
function countingRows(store: Store): { store: Store; rows: () => number } {
  let rows = 0;
  const counted = new Proxy(store, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== "function") return value;
      return async (...args: unknown[]) => {
        const result = (await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)) as unknown;
        if (Array.isArray(result) && (prop === "listRuns" || prop === "listDueQueuedRuns")) rows += result.length;
        return result;
      };
    },
  });
  return { store: counted, rows: () => rows };
}

const dag = (dagId: string, paused = false): DagRecord => ({ dagId, latestVersion: `${dagId}-v`, paused }) as DagRecord;

describe("runsToStart: queued runs promoted in bounded pages", () => {
  let store: FullStore;
  beforeEach(async () => {
    store = await openSqliteStore(":memory:");
  });
  afterEach(async () => {
    await store.close();
  });

  async function queue(dagId: string, count: number, extra: Partial<Parameters<typeof newRun>[2]> = {}): Promise<void> {
    // Newest logical date first, so that an order by id would be wrong.
    for (let i = count - 1; i >= 0; i--) {
      await store.createRun(
        newRun(dagId, `${dagId}-${String(i).padStart(5, "0")}`, {
          logicalDate: 1_000 + i,
          runAfter: 0,
          dagVersion: `${dagId}-v`,
          runType: "scheduled",
          ...extra,
        }),
        [],
      );
    }
  }

  it("5,000 queued runs of a DAG with maxActiveRuns 2: a tick reads at most a page and starts the 2 oldest", async () => {
    await queue("big", 5_000);
    const { store: counted, rows } = countingRows(store);
    const heapBefore = process.memoryUsage().heapUsed;
    const t0 = performance.now();
    const start = await runsToStart({ store: counted, dags: new Map([["big", dag("big")]]), active: [], maxActiveRuns: async () => 2, now: 10 });
    const ms = performance.now() - t0;
    console.info(
      `runsToStart over 5,000 queued runs: ${rows()} row(s) read, ${ms.toFixed(1)} ms, heap +${((process.memoryUsage().heapUsed - heapBefore) / 1024).toFixed(0)} KiB`,
    );
    expect(start.map((r) => r.runId)).toEqual(["big-00000", "big-00001"]);
    expect(rows()).toBeLessThanOrEqual(2);
  });

  it("a DAG already at its limit reads no queued run at all", async () => {
    await queue("full", 1_000);
    const { store: counted, rows } = countingRows(store);
    const active: Pick<RunRecord, "id" | "dagId" | "backfillId">[] = [
      { id: 1, dagId: "full", backfillId: null },
      { id: 2, dagId: "full", backfillId: null },
    ];
    expect(await runsToStart({ store: counted, dags: new Map([["full", dag("full")]]), active, maxActiveRuns: async () => 2, now: 10 })).toEqual([]);
    expect(rows()).toBe(0);
  });

  it("skips runs it already holds, paused and unknown DAGs, runs not yet due; a backfill counts against its own limit", async () => {
    await queue("a", 5);
    await queue("paused", 3);
    await queue("gone", 3);
    await queue("later", 2, { runAfter: 1_000_000 });
    const bf = await store.createBackfill({ dagId: "a", fromDate: 0, toDate: 10, reprocess: "none", maxActiveRuns: 1, conf: {} });
    await store.createRun(newRun("a", "bf-1", { logicalDate: 1, runAfter: 0, backfillId: bf.id, runType: "backfill", dagVersion: "a-v" }), []);
    await store.createRun(newRun("a", "bf-2", { logicalDate: 2, runAfter: 0, backfillId: bf.id, runType: "backfill", dagVersion: "a-v" }), []);
    // The oldest queued run of "a" is already in memory (activated, not yet written as running).
    const held = (await store.getRun("a", "a-00000"))!;
    const dags = new Map([
      ["a", dag("a")],
      ["paused", dag("paused", true)],
      ["later", dag("later")],
    ]);
    const start = await runsToStart({ store, dags, active: [held], maxActiveRuns: async () => 3, now: 10 });
    expect(start.map((r) => r.runId).sort()).toEqual(["a-00001", "a-00002", "bf-1"]);
  });

  it("a paused backfill's queued runs are not started, and read not at all; the DAG's own runs and other backfills go on; unpaused, they start", async () => {
    await queue("a", 2);
    const paused = await store.createBackfill({ dagId: "a", fromDate: 0, toDate: 10, reprocess: "none", maxActiveRuns: 2, conf: {} });
    const other = await store.createBackfill({ dagId: "a", fromDate: 0, toDate: 10, reprocess: "none", maxActiveRuns: 1, conf: {} });
    for (const [b, runId, logicalDate] of [
      [paused.id, "p-1", 1],
      [paused.id, "p-2", 2],
      [paused.id, "p-3", 3],
      [other.id, "o-1", 4],
    ] as const) {
      await store.createRun(newRun("a", runId, { logicalDate, runAfter: 0, backfillId: b, runType: "backfill", dagVersion: "a-v" }), []);
    }
    await store.setBackfillPaused(paused.id, true);
    const dags = new Map([["a", dag("a")]]);
    const { store: counted, rows } = countingRows(store);
    const start = await runsToStart({ store: counted, dags, active: [], maxActiveRuns: async () => 5, now: 10 });
    expect(start.map((r) => r.runId).sort()).toEqual(["a-00000", "a-00001", "o-1"]);
    expect(rows()).toBe(3);
    await store.setBackfillPaused(paused.id, false);
    const resumed = await runsToStart({ store, dags, active: [], maxActiveRuns: async () => 5, now: 10 });
    expect(resumed.map((r) => r.runId).sort()).toEqual(["a-00000", "a-00001", "o-1", "p-1", "p-2"]);
  });
});
