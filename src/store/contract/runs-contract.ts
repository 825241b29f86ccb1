import { describe, expect, it } from "vitest";
import type { TaskState } from "../../core/model/states.js";
import { attempt, AWKWARD_JSON, newRun, taskInstance } from "./fixtures.js";
import type { StoreUnderTest } from "./store-under-test.js";

export function describeRunsContract(sut: StoreUnderTest): void {
  describe("createRun", () => {
    it("stores the run with a fresh id and its task instances under that id", async () => {
      const run = await sut.store.createRun(newRun("etl", "r1", { createdAt: 5 }), [taskInstance("extract"), taskInstance("load", { state: "scheduled" })]);
      expect(run).toEqual({
        ...newRun("etl", "r1", { createdAt: 5 }),
        id: expect.any(Number),
        startedAt: null,
        endedAt: null,
        note: null,
      });
      const id = run!.id;
      expect(id).toBeGreaterThan(0);
      expect(await sut.store.getRunById(id)).toEqual(run);
      expect(await sut.store.getRun("etl", "r1")).toEqual(run);
      expect(await sut.store.listTaskInstances(id)).toEqual([taskInstance("extract", { runPk: id }), taskInstance("load", { runPk: id, state: "scheduled" })]);
    });

    it("assigns createdAt itself when none is given", async () => {
      const before = Date.now();
      const { createdAt: _omit, ...withoutCreatedAt } = newRun("etl", "r1");
      const run = await sut.store.createRun(withoutCreatedAt, []);
      expect(run!.createdAt).toBeGreaterThanOrEqual(before);
      expect(run!.createdAt).toBeLessThanOrEqual(Date.now());
    });

    it("returns undefined for a duplicate (dagId, runId) and writes nothing of it", async () => {
      const first = await sut.store.createRun(newRun("etl", "r1", { conf: { n: 1 } }), [taskInstance("a")]);
      const again = await sut.store.createRun(newRun("etl", "r1", { conf: { n: 2 } }), [taskInstance("a", { state: "failed" }), taskInstance("b")]);
      expect(again).toBeUndefined();
      expect(await sut.store.getRun("etl", "r1")).toEqual(first);
      expect(await sut.store.listTaskInstances(first!.id)).toEqual([taskInstance("a", { runPk: first!.id })]);
      expect(await sut.store.listRuns({})).toHaveLength(1);
      // the same run id under another DAG is a different run
      expect(await sut.store.createRun(newRun("other", "r1"), [])).toBeDefined();
    });

    it("racing creators of the same run: exactly one wins, no error, one set of task instances", async () => {
      const tis = Array.from({ length: 50 }, (_, i) => taskInstance(`t${String(i).padStart(2, "0")}`));
      const results = await Promise.all(Array.from({ length: 8 }, () => sut.store.createRun(newRun("etl", "race"), tis)));
      const winners = results.filter((r) => r !== undefined);
      expect(winners).toHaveLength(1);
      expect(await sut.store.listRuns({ dagId: "etl" })).toHaveLength(1);
      expect(await sut.store.listTaskInstances(winners[0]!.id)).toHaveLength(50);
    });

    it("is atomic: a task instance that cannot be written leaves no run behind", async () => {
      const broken = taskInstance("b", { state: null as unknown as TaskState });
      await expect(sut.store.createRun(newRun("etl", "r1"), [taskInstance("a"), broken])).rejects.toThrow();
      expect(await sut.store.getRun("etl", "r1")).toBeUndefined();
      expect(await sut.store.listTaskInstancesInStates(["none"])).toEqual([]);
      expect(await sut.store.createRun(newRun("etl", "r1"), [taskInstance("a")])).toBeDefined();
    });

    it("round-trips conf JSON (unicode, nesting) and keeps 0 distinct from null in times", async () => {
      const run = await sut.store.createRun(
        newRun("etl", "r1", {
          conf: AWKWARD_JSON,
          logicalDate: 0,
          dataIntervalStart: 0,
          dataIntervalEnd: null,
          runAfter: 0,
          createdAt: 0,
        }),
        [taskInstance("a", { queuedAt: 0, startedAt: null, endedAt: 0, nextRetryAt: null, updatedAt: 0 })],
      );
      const stored = await sut.store.getRunById(run!.id);
      expect(stored?.conf).toEqual(AWKWARD_JSON);
      expect(stored).toMatchObject({ logicalDate: 0, dataIntervalStart: 0, dataIntervalEnd: null, runAfter: 0, createdAt: 0 });
      const [ti] = await sut.store.listTaskInstances(run!.id);
      expect(ti).toMatchObject({ queuedAt: 0, startedAt: null, endedAt: 0, nextRetryAt: null, updatedAt: 0 });
    });

    it("keeps epoch-ms times beyond 32 bits exact", async () => {
      const far = 4_102_444_800_123; // 2100-01-01T00:00:00.123Z
      const run = await sut.store.createRun(newRun("etl", "r1", { logicalDate: far, runAfter: far + 1 }), []);
      expect(await sut.store.getRunById(run!.id)).toMatchObject({ id: run!.id, logicalDate: far, runAfter: far + 1 });
      expect(typeof run!.id).toBe("number");
    });

    it("getRun and getRunById return undefined for unknown runs", async () => {
      expect(await sut.store.getRun("etl", "nope")).toBeUndefined();
      expect(await sut.store.getRunById(123456)).toBeUndefined();
    });
  });

  describe("listRuns", () => {
    async function seed() {
      const backfill = await sut.store.createBackfill({
        dagId: "a",
        fromDate: 0,
        toDate: 10,
        reprocess: "none",
        maxActiveRuns: 1,
        conf: {},
      });
      const specs = [
        { dag: "a", run: "a1", state: "success", logical: 100 },
        { dag: "a", run: "a2", state: "failed", logical: 200 },
        { dag: "b", run: "b1", state: "running", logical: 150 },
        { dag: "a", run: "a3", state: "running", logical: 300, backfill: backfill.id },
        { dag: "a", run: "a4", state: "queued", logical: null },
      ] as const;
      const ids: Record<string, number> = {};
      for (const s of specs) {
        const run = await sut.store.createRun(
          newRun(s.dag, s.run, {
            state: s.state,
            logicalDate: s.logical,
            backfillId: "backfill" in s ? s.backfill : null,
            runType: "backfill" in s ? "backfill" : "scheduled",
          }),
          [],
        );
        ids[s.run] = run!.id;
      }
      return { ids, backfillId: backfill.id };
    }
    const runIds = (runs: { runId: string }[]) => runs.map((r) => r.runId);

    it("returns every run newest first by id without filters", async () => {
      await seed();
      expect(runIds(await sut.store.listRuns({}))).toEqual(["a4", "a3", "b1", "a2", "a1"]);
    });

    it("filters by dagId, states, runIds and backfillId", async () => {
      const { backfillId } = await seed();
      expect(runIds(await sut.store.listRuns({ dagId: "a" }))).toEqual(["a4", "a3", "a2", "a1"]);
      expect(runIds(await sut.store.listRuns({ states: ["running", "queued"] }))).toEqual(["a4", "a3", "b1"]);
      expect(runIds(await sut.store.listRuns({ runIds: ["a1", "b1", "zz"] }))).toEqual(["b1", "a1"]);
      expect(runIds(await sut.store.listRuns({ backfillId }))).toEqual(["a3"]);
      expect(runIds(await sut.store.listRuns({ dagId: "a", states: ["running"] }))).toEqual(["a3"]);
    });

    it("an empty states or runIds list matches nothing", async () => {
      await seed();
      expect(await sut.store.listRuns({ states: [] })).toEqual([]);
      expect(await sut.store.listRuns({ runIds: [] })).toEqual([]);
    });

    it("bounds logical dates inclusively and leaves out runs without one", async () => {
      await seed();
      expect(runIds(await sut.store.listRuns({ logicalDateFrom: 150, logicalDateTo: 300 }))).toEqual(["a3", "b1", "a2"]);
      expect(runIds(await sut.store.listRuns({ logicalDateFrom: 200 }))).toEqual(["a3", "a2"]);
      expect(runIds(await sut.store.listRuns({ logicalDateTo: 100 }))).toEqual(["a1"]);
    });

    it("pages with beforeId and limit, 100 by default", async () => {
      for (let i = 0; i < 230; i++) await sut.store.createRun(newRun("etl", `r${i}`), []);
      const first = await sut.store.listRuns({ dagId: "etl" });
      expect(first).toHaveLength(100);
      const seen = [...first];
      for (;;) {
        const page = await sut.store.listRuns({ dagId: "etl", beforeId: seen.at(-1)!.id, limit: 70 });
        if (page.length === 0) break;
        expect(page.length).toBeLessThanOrEqual(70);
        seen.push(...page);
      }
      expect(seen).toHaveLength(230);
      const ids = seen.map((r) => r.id);
      expect(ids).toEqual([...ids].sort((a, b) => b - a));
      expect(new Set(ids).size).toBe(230);
      expect(seen[0]!.runId).toBe("r229");
    });
  });

  describe("getPreviousRun", () => {
    it("finds the latest run by logical date strictly before, optionally of some run types", async () => {
      const mk = (runId: string, logicalDate: number | null, runType: "scheduled" | "manual", dagId = "etl") =>
        sut.store.createRun(newRun(dagId, runId, { logicalDate, runType }), []);
      await mk("s1000", 1000, "scheduled");
      await mk("s3000", 3000, "scheduled");
      await mk("m2000", 2000, "manual"); // created later than s3000: order is by logical date, not id
      await mk("m-null", null, "manual");
      await mk("other2500", 2500, "scheduled", "other");

      expect((await sut.store.getPreviousRun("etl", 3000))?.runId).toBe("m2000");
      expect((await sut.store.getPreviousRun("etl", 3001))?.runId).toBe("s3000");
      expect((await sut.store.getPreviousRun("etl", 2600))?.runId).toBe("m2000");
      expect((await sut.store.getPreviousRun("etl", 3000, { runTypes: ["scheduled"] }))?.runId).toBe("s1000");
      expect((await sut.store.getPreviousRun("etl", 3000, { runTypes: ["scheduled", "manual"] }))?.runId).toBe("m2000");
      expect(await sut.store.getPreviousRun("etl", 1000)).toBeUndefined();
      expect(await sut.store.getPreviousRun("etl", 3000, { runTypes: ["backfill"] })).toBeUndefined();
      expect(await sut.store.getPreviousRun("nope", 3000)).toBeUndefined();
    });

    it("finds the latest earlier run in a state (the previous successful run), of any type", async () => {
      const mk = (runId: string, logicalDate: number, state: "success" | "failed" | "running", runType: "scheduled" | "manual" = "scheduled") =>
        sut.store.createRun(newRun("etl", runId, { logicalDate, runType, state }), []);
      await mk("ok1000", 1000, "success");
      await mk("m1500", 1500, "success", "manual");
      await mk("bad2000", 2000, "failed");
      await mk("on2500", 2500, "running");
      expect((await sut.store.getPreviousRun("etl", 3000, { state: "success" }))?.runId).toBe("m1500");
      expect((await sut.store.getPreviousRun("etl", 3000, { state: "success", runTypes: ["scheduled"] }))?.runId).toBe("ok1000");
      expect((await sut.store.getPreviousRun("etl", 1500, { state: "success" }))?.runId).toBe("ok1000");
      expect(await sut.store.getPreviousRun("etl", 1000, { state: "success" })).toBeUndefined();
    });
  });

  describe("task instances and attempts", () => {
    it("listTaskInstancesForRuns returns the instances of the given runs by run, task and map index", async () => {
      const r1 = await sut.store.createRun(newRun("etl", "r1"), [taskInstance("b"), taskInstance("a", { mapIndex: 1 }), taskInstance("a", { mapIndex: 0 })]);
      const r2 = await sut.store.createRun(newRun("etl", "r2"), [taskInstance("z")]);
      const r3 = await sut.store.createRun(newRun("etl", "r3"), [taskInstance("c")]);
      const got = await sut.store.listTaskInstancesForRuns([r2!.id, r1!.id, r1!.id]);
      expect(got.map((t) => [t.runPk, t.taskId, t.mapIndex])).toEqual([
        [r1!.id, "a", 0],
        [r1!.id, "a", 1],
        [r1!.id, "b", -1],
        [r2!.id, "z", -1],
      ]);
      expect(got.some((t) => t.runPk === r3!.id)).toBe(false);
      expect(await sut.store.listTaskInstancesForRuns([])).toEqual([]);
      // The grid's narrow read: the same instances in the same order, key, state and try only.
      await sut.store.commit({ taskInstances: [{ ...taskInstance("b"), runPk: r1!.id, state: "failed", tryNumber: 2 }] });
      const cells = await sut.store.listTaskCellsForRuns([r2!.id, r1!.id]);
      expect(cells).toEqual([
        { runPk: r1!.id, taskId: "a", mapIndex: 0, state: "none", tryNumber: 0 },
        { runPk: r1!.id, taskId: "a", mapIndex: 1, state: "none", tryNumber: 0 },
        { runPk: r1!.id, taskId: "b", mapIndex: -1, state: "failed", tryNumber: 2 },
        { runPk: r2!.id, taskId: "z", mapIndex: -1, state: "none", tryNumber: 0 },
      ]);
      expect(await sut.store.listTaskCellsForRuns([])).toEqual([]);
    });

    it("listTaskInstancesInStates finds instances across runs; an empty list matches nothing", async () => {
      const r1 = await sut.store.createRun(newRun("etl", "r1"), [
        taskInstance("a", { state: "queued" }),
        taskInstance("b", { state: "running" }),
        taskInstance("c", { state: "success" }),
      ]);
      const r2 = await sut.store.createRun(newRun("etl", "r2"), [taskInstance("a", { state: "running" })]);
      const got = await sut.store.listTaskInstancesInStates(["queued", "running"]);
      expect(got.map((t) => [t.runPk, t.taskId])).toEqual([
        [r1!.id, "a"],
        [r1!.id, "b"],
        [r2!.id, "a"],
      ]);
      expect(await sut.store.listTaskInstancesInStates([])).toEqual([]);
    });

    it("listAttempts returns a run's attempts, optionally of one task, by task, map index and try", async () => {
      const run = await sut.store.createRun(newRun("etl", "r1"), [taskInstance("a"), taskInstance("b"), taskInstance("m", { mapIndex: 0 })]);
      const id = run!.id;
      const attempts = [
        attempt(id, "b", 1, { state: "failed", startedAt: 0, endedAt: 5, error: "boom ✗", logPath: "/logs/b/1.log", pid: 4242 }),
        attempt(id, "a", 2),
        attempt(id, "a", 1, { state: "up_for_retry" }),
        attempt(id, "m", 1, { mapIndex: 0 }),
      ];
      await sut.store.commit({ attempts });
      const all = await sut.store.listAttempts(id);
      expect(all.map((a) => [a.taskId, a.mapIndex, a.tryNumber])).toEqual([
        ["a", -1, 1],
        ["a", -1, 2],
        ["b", -1, 1],
        ["m", 0, 1],
      ]);
      expect(all[2]).toEqual(attempts[0]);
      expect((await sut.store.listAttempts(id, "a")).map((a) => a.tryNumber)).toEqual([1, 2]);
      expect(await sut.store.listAttempts(id, "nope")).toEqual([]);
      expect(await sut.store.listAttempts(id + 1000)).toEqual([]);
    });
  });
}
