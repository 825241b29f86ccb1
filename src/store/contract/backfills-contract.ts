import { describe, expect, it } from "vitest";
import type { NewBackfill } from "../../core/ports/store.js";
import { AWKWARD_JSON } from "./fixtures.js";
import type { StoreUnderTest } from "./store-under-test.js";

const backfill = (dagId: string, extra: Partial<NewBackfill> = {}): NewBackfill => ({
  dagId,
  fromDate: 0,
  toDate: 86_400_000,
  reprocess: "failed",
  maxActiveRuns: 3,
  conf: {},
  ...extra,
});

export function describeBackfillsContract(sut: StoreUnderTest): void {
  describe("backfills", () => {
    it("createBackfill stores a queued backfill and round-trips conf", async () => {
      const before = Date.now();
      const created = await sut.store.createBackfill(backfill("etl", { conf: AWKWARD_JSON, reprocess: "completed" }));
      expect(created).toEqual({
        id: expect.any(Number),
        dagId: "etl",
        fromDate: 0,
        toDate: 86_400_000,
        reprocess: "completed",
        maxActiveRuns: 3,
        conf: AWKWARD_JSON,
        state: "queued",
        paused: false,
        createdAt: expect.any(Number),
        endedAt: null,
      });
      expect(created.createdAt).toBeGreaterThanOrEqual(before);
      expect(await sut.store.getBackfill(created.id)).toEqual(created);
      expect(await sut.store.getBackfill(created.id + 1000)).toBeUndefined();
    });

    it("listBackfills filters by DAG and states, newest first; an empty states list matches nothing", async () => {
      const a1 = await sut.store.createBackfill(backfill("a"));
      const b1 = await sut.store.createBackfill(backfill("b"));
      const a2 = await sut.store.createBackfill(backfill("a"));
      await sut.store.commit({
        backfills: [
          { id: a1.id, state: "done", endedAt: 5 },
          { id: a2.id, state: "running" },
        ],
      });
      const ids = (list: { id: number }[]) => list.map((b) => b.id);
      expect(ids(await sut.store.listBackfills({}))).toEqual([a2.id, b1.id, a1.id]);
      expect(ids(await sut.store.listBackfills({ dagId: "a" }))).toEqual([a2.id, a1.id]);
      expect(ids(await sut.store.listBackfills({ states: ["queued", "running"] }))).toEqual([a2.id, b1.id]);
      expect(ids(await sut.store.listBackfills({ dagId: "a", states: ["done"] }))).toEqual([a1.id]);
      expect(await sut.store.listBackfills({ states: [] })).toEqual([]);
      expect(await sut.store.getBackfill(a1.id)).toMatchObject({ state: "done", endedAt: 5 });
    });

    it("setBackfillPaused pauses and unpauses a queued or running backfill, idempotently; the scheduler's patches leave it alone", async () => {
      const b = await sut.store.createBackfill(backfill("etl"));
      expect(await sut.store.setBackfillPaused(b.id, true)).toEqual({ ...b, paused: true });
      expect(await sut.store.setBackfillPaused(b.id, true)).toEqual({ ...b, paused: true });
      await sut.store.commit({ backfills: [{ id: b.id, state: "running" }] });
      expect(await sut.store.getBackfill(b.id)).toMatchObject({ state: "running", paused: true });
      expect((await sut.store.listBackfills({ dagId: "etl" }))[0]).toMatchObject({ id: b.id, paused: true });
      expect(await sut.store.setBackfillPaused(b.id, false)).toEqual({ ...b, state: "running", paused: false });
      expect(await sut.store.setBackfillPaused(b.id + 1000, true)).toBeUndefined();
    });

    it("setBackfillPaused leaves a backfill that ended as it ended", async () => {
      const done = await sut.store.createBackfill(backfill("etl"));
      const cancelled = await sut.store.createBackfill(backfill("etl"));
      await sut.store.setBackfillPaused(cancelled.id, true);
      await sut.store.commit({
        backfills: [
          { id: done.id, state: "done", endedAt: 7 },
          { id: cancelled.id, state: "cancelled", endedAt: 8 },
        ],
      });
      expect(await sut.store.setBackfillPaused(done.id, true)).toMatchObject({ state: "done", paused: false, endedAt: 7 });
      expect(await sut.store.setBackfillPaused(cancelled.id, false)).toMatchObject({ state: "cancelled", paused: true, endedAt: 8 });
    });
  });
}
