import { describe, expect, it } from "vitest";
import type { MissedDeadline } from "../../core/model/deadlines.js";
import type { StoreUnderTest } from "./store-under-test.js";

const T0 = 1_700_000_000_000;

const runMiss = (over: Partial<MissedDeadline> = {}): MissedDeadline => ({
  dagId: "sales",
  runId: "r1",
  runPk: 1,
  taskId: null,
  mapIndex: -1,
  tryNumber: 0,
  deadlineIndex: 0,
  description: "logicalDate + 2h",
  dueAt: T0,
  detectedAt: T0 + 5,
  ...over,
});

const taskMiss = (over: Partial<MissedDeadline> = {}): MissedDeadline =>
  runMiss({ taskId: "load", tryNumber: 1, description: "expectedDuration 10m", ...over });

export function describeDeadlinesContract(sut: StoreUnderTest): void {
  describe("missed deadlines", () => {
    it("records a miss once: the first call gets the record, a repeat gets undefined", async () => {
      const first = await sut.store.deadlines.recordMissedDeadline(runMiss());
      expect(first).toEqual({ id: expect.any(Number), ...runMiss() });
      expect(await sut.store.deadlines.recordMissedDeadline(runMiss({ detectedAt: T0 + 99 }))).toBeUndefined();
      expect(await sut.store.deadlines.listMissedDeadlines({})).toEqual([first]);
    });

    it("exactly one of several racing recorders inserts (several schedulers)", async () => {
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => sut.store.deadlines.recordMissedDeadline(runMiss({ detectedAt: T0 + i }))));
      expect(results.filter((r) => r !== undefined)).toHaveLength(1);
      expect(await sut.store.deadlines.listMissedDeadlines({})).toHaveLength(1);
    });

    it("keys by run, deadline, task, map index and try", async () => {
      const misses = [
        runMiss(),
        runMiss({ deadlineIndex: 1, description: "queuedAt + 30m" }),
        runMiss({ runPk: 2, runId: "r2" }),
        taskMiss(),
        taskMiss({ tryNumber: 2 }),
        taskMiss({ mapIndex: 3 }),
        taskMiss({ taskId: "other" }),
      ];
      for (const m of misses) expect(await sut.store.deadlines.recordMissedDeadline(m)).toBeDefined();
      for (const m of misses) expect(await sut.store.deadlines.recordMissedDeadline(m)).toBeUndefined();
      const listed = await sut.store.deadlines.listMissedDeadlines({});
      expect(listed.map((m) => ({ ...m, id: 0 }))).toEqual([...misses].reverse().map((m) => ({ ...m, id: 0 })));
      // A run's deadline reads back with taskId null; a task's with its id.
      expect(listed.at(-1)!.taskId).toBeNull();
      expect(listed[0]!.taskId).toBe("other");
    });

    it("lists newest first, filtered by DAG, runs and detection time, paged by id", async () => {
      const a = (await sut.store.deadlines.recordMissedDeadline(runMiss({ detectedAt: T0 })))!;
      const b = (await sut.store.deadlines.recordMissedDeadline(runMiss({ dagId: "other", runId: "o1", runPk: 7, detectedAt: T0 + 1_000 })))!;
      const c = (await sut.store.deadlines.recordMissedDeadline(taskMiss({ detectedAt: T0 + 2_000 })))!;
      expect(c.id).toBeGreaterThan(b.id);
      expect(b.id).toBeGreaterThan(a.id);
      const ids = async (f: Parameters<typeof sut.store.deadlines.listMissedDeadlines>[0]) =>
        (await sut.store.deadlines.listMissedDeadlines(f)).map((m) => m.id);
      expect(await ids({})).toEqual([c.id, b.id, a.id]);
      expect(await ids({ dagId: "sales" })).toEqual([c.id, a.id]);
      expect(await ids({ dagId: "nope" })).toEqual([]);
      expect(await ids({ since: T0 + 1_000 })).toEqual([c.id, b.id]);
      expect(await ids({ runPks: [7] })).toEqual([b.id]);
      expect(await ids({ runPks: [1, 7], limit: 2 })).toEqual([c.id, b.id]);
      expect(await ids({ runPks: [] })).toEqual([]);
      expect(await ids({ limit: 1 })).toEqual([c.id]);
      expect(await ids({ beforeId: c.id, limit: 1 })).toEqual([b.id]);
      expect(await ids({ dagId: "sales", since: T0 + 1, beforeId: c.id + 1 })).toEqual([c.id]);
    });
  });
}
