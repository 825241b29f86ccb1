import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../../core/errors.js";
import type { RunState } from "../../core/model/states.js";
import { attempt, dagVersion, newRun, taskInstance } from "./fixtures.js";
import type { StoreUnderTest } from "./store-under-test.js";

const T0 = 1_700_000_000_000;
const DAY = 86_400_000;
const LIMITS = { maxRuns: 1_000, maxTaskInstances: 10_000 };

export function describeRetentionContract(sut: StoreUnderTest): void {
  describe("retention (baton db clean)", () => {
    /** A run of `dagId` with tasks a and b (one attempt each), in `state`, ended at `endedAt` (null: not set). */
    async function run(dagId: string, runId: string, state: RunState, endedAt: number | null, createdAt = T0): Promise<number> {
      const created = await sut.store.createRun(newRun(dagId, runId, { createdAt }), [taskInstance("a"), taskInstance("b")]);
      const pk = created!.id;
      await sut.store.commit({
        runs: [{ id: pk, state, endedAt }],
        taskInstances: [taskInstance("a", { runPk: pk, state: "success", tryNumber: 1 }), taskInstance("b", { runPk: pk, state: "success", tryNumber: 1 })],
        attempts: [attempt(pk, "a", 1, { state: "success" }), attempt(pk, "b", 1, { state: "success" })],
      });
      return pk;
    }

    it("deletes only finished runs ended before the cutoff, with their rows; never queued or running runs; keeps dataset events", async () => {
      const s = sut.store;
      const oldOk = await run("etl", "old_ok", "success", T0);
      const oldFailed = await run("etl", "old_failed", "failed", null); // no end time: its creation counts
      const oldRunning = await run("etl", "old_running", "running", null);
      const oldQueued = await run("etl", "old_queued", "queued", null);
      const recent = await run("etl", "recent", "success", T0 + 10 * DAY, T0 + 10 * DAY);
      const other = await run("other", "old_other", "success", T0);
      await s.callbacks.claimCallback(
        { runPk: oldOk, taskId: "a", mapIndex: -1, tryNumber: 1, event: "success" },
        { dagId: "etl", runId: "old_ok" },
        "test",
        T0,
      );
      await s.anomalies.recordAttemptMetrics({
        dagId: "etl",
        runId: "old_ok",
        runPk: oldOk,
        taskId: "a",
        mapIndex: -1,
        tryNumber: 1,
        at: T0,
        values: { duration: 1 },
      });
      await s.recordDatasetEvents([{ uri: "s3://b/k", source: { dagId: "etl", runId: "old_ok", taskId: "a", tryNumber: 1 }, extra: {}, createdAt: T0 }]);

      const cutoff = { endedBefore: T0 + DAY };
      expect(await s.retention.countFinishedRuns(cutoff)).toEqual({ runs: 3, taskInstances: 6, attempts: 6 });
      expect(await s.retention.countFinishedRuns({ ...cutoff, dagId: "etl" })).toEqual({ runs: 2, taskInstances: 4, attempts: 4 });
      expect(await s.retention.countFinishedRuns({ endedBefore: T0 })).toEqual({ runs: 0, taskInstances: 0, attempts: 0 }); // strictly before

      // Batches: oldest id first, one run at a time here.
      const first = await s.retention.purgeFinishedRuns({ ...cutoff, dagId: "etl" }, { ...LIMITS, maxRuns: 1 });
      expect(first).toEqual({ runs: 1, taskInstances: 2, attempts: 2, deleted: [{ id: oldOk, dagId: "etl", runId: "old_ok" }] });
      const second = await s.retention.purgeFinishedRuns({ ...cutoff, dagId: "etl" }, { ...LIMITS, maxRuns: 1 });
      expect(second.deleted).toEqual([{ id: oldFailed, dagId: "etl", runId: "old_failed" }]);
      expect((await s.retention.purgeFinishedRuns({ ...cutoff, dagId: "etl" }, LIMITS)).runs).toBe(0);

      for (const [dagId, runId, pk] of [
        ["etl", "old_ok", oldOk],
        ["etl", "old_failed", oldFailed],
      ] as const) {
        expect(await s.getRun(dagId, runId)).toBeUndefined();
        expect(await s.listTaskInstances(pk)).toEqual([]);
        expect(await s.listAttempts(pk)).toEqual([]);
      }
      expect(await s.callbacks.listCallbacks({ runId: "old_ok", limit: 10 })).toEqual([]);
      expect(await s.anomalies.metricHistory({ dagId: "etl", taskId: "a", metric: "duration", before: T0 + DAY, limit: 10 })).toEqual([]);
      for (const pk of [oldRunning, oldQueued, recent, other]) {
        expect(await s.getRunById(pk)).toBeDefined();
        expect(await s.listTaskInstances(pk)).toHaveLength(2);
        expect(await s.listAttempts(pk)).toHaveLength(2);
      }
      expect((await s.listDatasetEvents({})).map((e) => e.source?.runId)).toEqual(["old_ok"]);

      // Without --dag: the other DAG's old run goes too; the active and recent ones stay.
      expect((await s.retention.purgeFinishedRuns(cutoff, LIMITS)).deleted.map((d) => d.runId)).toEqual(["old_other"]);
      expect((await s.listRuns({})).map((r) => r.runId).sort()).toEqual(["old_queued", "old_running", "recent"]);
    });

    it("keeps a batch within its task-instance budget, but always deletes at least one run", async () => {
      const s = sut.store;
      for (let i = 0; i < 3; i++) await run("etl", `r${i}`, "success", T0);
      const filter = { endedBefore: T0 + 1 };
      expect((await s.retention.purgeFinishedRuns(filter, { maxRuns: 10, maxTaskInstances: 5 })).runs).toBe(2); // 2 + 2 = 4 ≤ 5; a third would make 6
      expect((await s.retention.purgeFinishedRuns(filter, { maxRuns: 10, maxTaskInstances: 1 })).runs).toBe(1); // 2 > 1, alone
      expect((await s.retention.purgeFinishedRuns(filter, { maxRuns: 10, maxTaskInstances: 1 })).runs).toBe(0);
      expect(await s.listRuns({})).toEqual([]);
      await expect(s.retention.purgeFinishedRuns(filter, { maxRuns: 0, maxTaskInstances: 1 })).rejects.toBeInstanceOf(InvalidInputError);
    });

    it("deleteDag (baton dags delete) deletes a DAG with its runs, rows, backfills, versions and cursor; other DAGs and dataset events stay", async () => {
      const s = sut.store;
      await s.saveDagVersion(dagVersion("etl", "etl-v1"));
      await s.saveDagVersion(dagVersion("etl", "etl-v2"));
      await s.saveDagVersion(dagVersion("other", "other-v1"));
      const backfill = await s.createBackfill({ dagId: "etl", fromDate: 0, toDate: DAY, reprocess: "failed", maxActiveRuns: 1, conf: {} });
      const ok = await run("etl", "ok", "success", T0);
      const failed = await run("etl", "failed", "failed", null);
      const fromBackfill = (await s.createRun(newRun("etl", "bf", { backfillId: backfill.id }), [taskInstance("a")]))!.id;
      await s.commit({ runs: [{ id: fromBackfill, state: "success", endedAt: T0 }] });
      const otherRun = await run("other", "keep", "success", T0);
      await s.anomalies.recordAttemptMetrics({
        dagId: "etl",
        runId: "ok",
        runPk: ok,
        taskId: "a",
        mapIndex: -1,
        tryNumber: 1,
        at: T0,
        values: { duration: 1 },
      });
      await s.deadlines.recordMissedDeadline({
        dagId: "etl",
        runId: "ok",
        runPk: ok,
        taskId: null,
        mapIndex: -1,
        tryNumber: 0,
        deadlineIndex: 0,
        description: "d",
        dueAt: T0,
        detectedAt: T0,
      });
      await s.setDatasetCursor("etl", 7, T0);
      await s.recordDatasetEvents([{ uri: "s3://b/k", source: { dagId: "etl", runId: "ok", taskId: "a", tryNumber: 1 }, extra: {}, createdAt: T0 }]);

      const out = await s.retention.deleteDag("etl");
      expect(out).toEqual({
        outcome: "deleted",
        runs: 3,
        taskInstances: 5,
        attempts: 4,
        versions: 2,
        deleted: [
          { id: ok, dagId: "etl", runId: "ok" },
          { id: failed, dagId: "etl", runId: "failed" },
          { id: fromBackfill, dagId: "etl", runId: "bf" },
        ],
      });
      expect(await s.getDag("etl")).toBeUndefined();
      expect(await s.getDagVersion("etl-v1")).toBeUndefined();
      expect(await s.getDagVersion("etl-v2")).toBeUndefined();
      expect(await s.listRuns({ dagId: "etl" })).toEqual([]);
      for (const pk of [ok, failed, fromBackfill]) {
        expect(await s.listTaskInstances(pk)).toEqual([]);
        expect(await s.listAttempts(pk)).toEqual([]);
      }
      expect(await s.listBackfills({ dagId: "etl" })).toEqual([]);
      expect(await s.deadlines.listMissedDeadlines({ dagId: "etl" })).toEqual([]);
      expect(await s.anomalies.metricHistory({ dagId: "etl", taskId: "a", metric: "duration", before: T0 + DAY, limit: 10 })).toEqual([]);
      expect(await s.getDatasetCursor("etl")).toBe(0);
      expect((await s.listDatasetEvents({})).map((e) => e.source?.runId)).toEqual(["ok"]);
      // The other DAG is untouched.
      expect(await s.getDag("other")).toMatchObject({ active: true, latestVersion: "other-v1" });
      expect(await s.listAttempts(otherRun)).toHaveLength(2);

      expect(await s.retention.deleteDag("etl")).toEqual({ outcome: "unknown" });
      // Saved again (its file still defines it): a new DAG with no history.
      await s.saveDagVersion(dagVersion("etl", "etl-v1"));
      expect(await s.getDag("etl")).toMatchObject({ active: true, latestVersion: "etl-v1", lastScheduledLogicalDate: null });
    });

    it("deleteDag deletes nothing while a run of the DAG is queued or running", async () => {
      const s = sut.store;
      await s.saveDagVersion(dagVersion("etl", "etl-v1"));
      const done = await run("etl", "done", "success", T0);
      await run("etl", "going", "running", null);
      await run("etl", "waiting", "queued", null);
      expect(await s.retention.deleteDag("etl")).toEqual({
        outcome: "active_runs",
        activeRuns: [
          { runId: "going", state: "running" },
          { runId: "waiting", state: "queued" },
        ],
      });
      expect(await s.getDag("etl")).toBeDefined();
      expect(await s.listRuns({ dagId: "etl" })).toHaveLength(3);
      expect(await s.listAttempts(done)).toHaveLength(2);
    });
    it("purgeBundles deletes the bundles no DAG's current version and no remaining run uses, saved before the cutoff; a bundle saved again is kept", async () => {
      const s = sut.store;
      const h = (c: string) => c.repeat(64);
      const version = (dagId: string, hash: string) => ({ ...dagVersion(dagId, `${dagId}-${hash.slice(0, 4)}`), bundlePath: `/home/bundles/${hash}.mjs` });
      // etl: version A (a run uses it), then B, then C (current). other: D (current). E: stored, no version.
      await s.saveDagVersion(version("etl", h("a")));
      await s.saveDagVersion(version("etl", h("b")));
      await s.saveDagVersion(version("etl", h("c")));
      await s.saveDagVersion(version("other", h("d")));
      for (const c of ["a", "b", "c", "d", "e"]) await s.workers.saveBundle(h(c), `// ${c}\n`, T0);
      await s.createRun(newRun("etl", "uses_a", { dagVersion: `etl-${h("a").slice(0, 4)}` }), [taskInstance("a")]);

      // Saved at the cutoff or later: kept whatever uses them.
      expect(await s.retention.purgeBundles(T0)).toEqual({ deleted: 0, inUse: [h("a"), h("c"), h("d")] });
      // b was saved again (the sync pointing etl back at it): its new time keeps it.
      await s.workers.saveBundle(h("b"), "// b\n", T0 + DAY);
      expect(await s.retention.purgeBundles(T0 + 1)).toEqual({ deleted: 1, inUse: [h("a"), h("c"), h("d")] });
      expect(await s.workers.getBundle(h("e"))).toBeUndefined();
      expect(await s.workers.getBundle(h("b"))).toBe("// b\n");
      for (const c of ["a", "c", "d"]) expect(await s.workers.getBundle(h(c))).toBe(`// ${c}\n`);

      // Once the run that used A is gone, A goes too; B (unused, now old enough) as well.
      await s.commit({ runs: [{ id: (await s.getRun("etl", "uses_a"))!.id, state: "success", endedAt: T0 }] });
      expect((await s.retention.purgeFinishedRuns({ endedBefore: T0 + 1 }, LIMITS)).runs).toBe(1);
      expect(await s.retention.purgeBundles(T0 + 2 * DAY)).toEqual({ deleted: 2, inUse: [h("c"), h("d")] });
      expect(await s.workers.getBundle(h("a"))).toBeUndefined();
      expect(await s.workers.getBundle(h("c"))).toBe("// c\n");
    });
  });
}
