import { describe, expect, it } from "vitest";
import { attempt, dagVersion, manyTaskInstances, newRun, taskInstance } from "./fixtures.js";
import type { StoreUnderTest } from "./store-under-test.js";

export function describeCommitContract(sut: StoreUnderTest): void {
  describe("commit", () => {
    let runs = 0;
    async function runWith(tis = [taskInstance("a"), taskInstance("b")]) {
      const run = await sut.store.createRun(newRun("etl", `r${++runs}`), tis);
      return run!;
    }

    it("patches only the run fields given: undefined leaves alone, null clears", async () => {
      const run = await runWith();
      await sut.store.commit({ runs: [{ id: run.id, state: "running", startedAt: 0, note: "why ✓" }] });
      await sut.store.commit({ runs: [{ id: run.id, endedAt: 9, state: undefined }] });
      expect(await sut.store.getRunById(run.id)).toEqual({
        ...run,
        state: "running",
        startedAt: 0,
        endedAt: 9,
        note: "why ✓",
      });
      await sut.store.commit({ runs: [{ id: run.id, state: "success", note: null, startedAt: null }] });
      expect(await sut.store.getRunById(run.id)).toEqual({ ...run, state: "success", startedAt: null, endedAt: 9, note: null });
    });

    it("a patch of an unknown run changes nothing and does not fail", async () => {
      const run = await runWith();
      await sut.store.commit({ runs: [{ id: run.id + 999, state: "failed" }] });
      expect(await sut.store.getRunById(run.id)).toEqual(run);
    });

    it("replaces every field of an existing task instance and inserts new ones", async () => {
      const run = await runWith([taskInstance("a", { state: "queued", queuedAt: 1 }), taskInstance("b")]);
      const replaced = taskInstance("a", {
        runPk: run.id,
        state: "success",
        tryNumber: 2,
        maxTries: 3,
        priority: 7,
        pool: "etl_pool",
        poolSlots: 2,
        queuedAt: null,
        startedAt: 0,
        endedAt: 20,
        nextRetryAt: 15,
        output: JSON.stringify({ rows: 3, note: "ünïcødé 🎉" }),
        error: "earlier: boom",
        followed: ["load", "notify"],
        updatedAt: 21,
      });
      const expanded = [0, 1].map((i) => taskInstance("m", { runPk: run.id, mapIndex: i, state: "scheduled" }));
      await sut.store.commit({ taskInstances: [replaced, ...expanded] });
      expect(await sut.store.listTaskInstances(run.id)).toEqual([replaced, taskInstance("b", { runPk: run.id }), ...expanded]);

      const back = { ...replaced, followed: null, output: null, error: null, startedAt: null };
      await sut.store.commit({ taskInstances: [back] });
      expect((await sut.store.listTaskInstances(run.id))[0]).toEqual(back);
    });

    it("keeps an empty followed list distinct from null", async () => {
      const run = await runWith([taskInstance("a")]);
      await sut.store.commit({ taskInstances: [taskInstance("a", { runPk: run.id, followed: [] })] });
      expect((await sut.store.listTaskInstances(run.id))[0]?.followed).toEqual([]);
    });

    it("the same task instance twice in one change set: the last one wins", async () => {
      const run = await runWith([taskInstance("a")]);
      await sut.store.commit({
        taskInstances: [taskInstance("a", { runPk: run.id, state: "running" }), taskInstance("a", { runPk: run.id, state: "success" })],
      });
      expect((await sut.store.listTaskInstances(run.id)).map((t) => t.state)).toEqual(["success"]);
    });

    it("inserts and replaces attempts by (run, task, map index, try)", async () => {
      const run = await runWith([taskInstance("a")]);
      const first = attempt(run.id, "a", 1, { startedAt: 0, pid: 1 });
      await sut.store.commit({ attempts: [first] });
      const done = { ...first, state: "failed" as const, endedAt: 4, error: "exit 1", logPath: "/l/a/1.log" };
      const second = attempt(run.id, "a", 2, { startedAt: 5 });
      await sut.store.commit({ attempts: [done, second] });
      expect(await sut.store.listAttempts(run.id)).toEqual([done, second]);
    });

    it("writes runs, task instances, attempts, DAG schedules and backfills together", async () => {
      await sut.store.saveDagVersion(dagVersion("etl", "h1"));
      const backfill = await sut.store.createBackfill({
        dagId: "etl",
        fromDate: 0,
        toDate: 1,
        reprocess: "failed",
        maxActiveRuns: 2,
        conf: {},
      });
      const run = await runWith([taskInstance("a")]);
      await sut.store.commit({
        runs: [{ id: run.id, state: "running", startedAt: 3 }],
        taskInstances: [taskInstance("a", { runPk: run.id, state: "running", tryNumber: 1 })],
        attempts: [attempt(run.id, "a", 1)],
        dagSchedules: [{ dagId: "etl", lastScheduledLogicalDate: 3_600_000 }],
        backfills: [{ id: backfill.id, state: "done", endedAt: 8 }],
      });
      expect((await sut.store.getRunById(run.id))?.state).toBe("running");
      expect((await sut.store.listTaskInstances(run.id))[0]?.tryNumber).toBe(1);
      expect(await sut.store.listAttempts(run.id)).toEqual([attempt(run.id, "a", 1)]);
      expect((await sut.store.getDag("etl"))?.lastScheduledLogicalDate).toBe(3_600_000);
      expect(await sut.store.getBackfill(backfill.id)).toEqual({ ...backfill, state: "done", endedAt: 8 });
    });

    it("is atomic: one bad row rolls back the whole change set", async () => {
      const run = await runWith([taskInstance("a")]);
      await expect(
        sut.store.commit({
          runs: [{ id: run.id, state: "failed" }],
          taskInstances: [
            taskInstance("a", { runPk: run.id, state: "success" }),
            taskInstance("ghost", { runPk: run.id + 999 }), // no such run: foreign key violation
          ],
        }),
      ).rejects.toThrow();
      expect(await sut.store.getRunById(run.id)).toEqual(run);
      expect((await sut.store.listTaskInstances(run.id)).map((t) => t.state)).toEqual(["none"]);
    });

    it("an empty change set is a no-op", async () => {
      await sut.store.commit({});
      await sut.store.commit({ runs: [], taskInstances: [], attempts: [], dagSchedules: [], backfills: [] });
    });

    it("chunks large writes: 6,000 task instances and attempts in one commit", async () => {
      const count = 6_000;
      const run = await sut.store.createRun(newRun("etl", "big"), manyTaskInstances(count));
      const id = run!.id;
      expect(await sut.store.listTaskInstances(id)).toHaveLength(count);

      const updated = manyTaskInstances(count, { runPk: id, state: "success", tryNumber: 1, endedAt: 77 });
      const attempts = updated.map((t) => attempt(id, t.taskId, 1, { mapIndex: t.mapIndex, state: "success" }));
      await sut.store.commit({ taskInstances: updated, attempts });

      const stored = await sut.store.listTaskInstances(id);
      expect(stored).toHaveLength(count);
      expect(stored.every((t) => t.state === "success" && t.tryNumber === 1 && t.endedAt === 77)).toBe(true);
      expect(stored.map((t) => t.mapIndex)).toEqual(Array.from({ length: count }, (_, i) => i));
      expect(await sut.store.listAttempts(id)).toHaveLength(count);
      expect(await sut.store.listTaskInstancesInStates(["success"])).toHaveLength(count);
    });
  });
}
