import { describe, expect, it } from "vitest";
import { newRun } from "./fixtures.js";
import type { StoreUnderTest } from "./store-under-test.js";

export function describeQueuedRunsContract(sut: StoreUnderTest): void {
  describe("queued runs by group, in pages (the scheduler's promotion)", () => {
    async function seed() {
      const bf = await sut.store.createBackfill({ dagId: "a", fromDate: 0, toDate: 10, reprocess: "none", maxActiveRuns: 2, conf: {} });
      const specs = [
        // Created newest logical date first, so order by id would be wrong.
        { dag: "a", run: "a300", logical: 300, after: 10 },
        { dag: "a", run: "a100", logical: 100, after: 10 },
        { dag: "a", run: "manual", logical: null, after: 200 }, // no logical date: sorted by runAfter
        { dag: "a", run: "a-late", logical: 50, after: 10_000 }, // not due yet
        { dag: "a", run: "a-running", logical: 10, after: 10, state: "running" as const },
        { dag: "a", run: "bf2", logical: 2, after: 10, backfill: bf.id },
        { dag: "a", run: "bf1", logical: 1, after: 10, backfill: bf.id },
        { dag: "b", run: "b1", logical: 5, after: 10 },
      ];
      for (const s of specs) {
        await sut.store.createRun(
          newRun(s.dag, s.run, {
            logicalDate: s.logical,
            runAfter: s.after,
            state: s.state ?? "queued",
            backfillId: s.backfill ?? null,
            runType: s.backfill ? "backfill" : "scheduled",
          }),
          [],
        );
      }
      return bf.id;
    }
    const ids = (runs: { runId: string }[]) => runs.map((r) => r.runId);

    it("lists each group with due queued runs once: the DAG's own runs and each backfill's", async () => {
      const bf = await seed();
      expect(await sut.store.listQueuedRunGroups(1_000)).toEqual([
        { dagId: "a", backfillId: null },
        { dagId: "a", backfillId: bf },
        { dagId: "b", backfillId: null },
      ]);
      expect(await sut.store.listQueuedRunGroups(5)).toEqual([]);
    });

    it("pages a group's due queued runs oldest logical date first (runAfter when none), at most `limit`", async () => {
      const bf = await seed();
      expect(ids(await sut.store.listDueQueuedRuns({ dagId: "a", backfillId: null, dueBy: 1_000, limit: 10 }))).toEqual(["a100", "manual", "a300"]);
      expect(ids(await sut.store.listDueQueuedRuns({ dagId: "a", backfillId: null, dueBy: 1_000, limit: 2 }))).toEqual(["a100", "manual"]);
      expect(ids(await sut.store.listDueQueuedRuns({ dagId: "a", backfillId: null, dueBy: 20_000, limit: 1 }))).toEqual(["a-late"]);
      expect(ids(await sut.store.listDueQueuedRuns({ dagId: "a", backfillId: bf, dueBy: 1_000, limit: 10 }))).toEqual(["bf1", "bf2"]);
      expect(await sut.store.listDueQueuedRuns({ dagId: "a", backfillId: null, dueBy: 1_000, limit: 0 })).toEqual([]);
      expect(await sut.store.listDueQueuedRuns({ dagId: "nope", backfillId: null, dueBy: 1_000, limit: 10 })).toEqual([]);
    });

    it("counts each DAG's queued and running runs, backfills' runs and ended runs not counted", async () => {
      await seed();
      await sut.store.createRun(newRun("b", "b-done", { logicalDate: 6, runAfter: 10, state: "success" }), []);
      const counts = await sut.store.countActiveRuns(["a", "b", "nope", "a"]);
      // a: a300, a100, manual, a-late (queued, not yet due) and a-running; bf1, bf2 are the backfill's.
      expect(Object.fromEntries(counts)).toEqual({ a: 5, b: 1 });
      expect((await sut.store.countActiveRuns([])).size).toBe(0);
    });

    it("equal logical dates come out by id, the order they were queued", async () => {
      for (const r of ["x1", "x2", "x3"]) await sut.store.createRun(newRun("c", r, { logicalDate: 7, runAfter: 7 }), []);
      expect(ids(await sut.store.listDueQueuedRuns({ dagId: "c", backfillId: null, dueBy: 7, limit: 10 }))).toEqual(["x1", "x2", "x3"]);
    });
  });
}
