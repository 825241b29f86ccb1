import { describe, expect, it } from "vitest";
import { dagVersion, newRun, taskInstance } from "./fixtures.js";
import type { StoreUnderTest } from "./store-under-test.js";

const lease = (id: string) => ({ id, host: "h", pid: 7, version: "0.0.0", startedAt: 1 });

export function describeOverviewContract(sut: StoreUnderTest): void {
  describe("overview counts", () => {
    it("schedulerLoads: each owner's DAGs with their queued and running runs; unowned DAGs and finished runs are not counted", async () => {
      for (const id of ["d1", "d2", "d3", "d4"]) await sut.store.saveDagVersion(dagVersion(id, `v-${id}`));
      expect(await sut.store.overview.schedulerLoads()).toEqual([]);
      await sut.store.registerScheduler(lease("a"));
      await sut.store.registerScheduler(lease("b"));
      expect(await sut.store.claimDags("a", 2)).toEqual(["d1", "d2"]);
      expect(await sut.store.claimDags("b", 1)).toEqual(["d3"]);
      const run = async (dagId: string, runId: string, state: "queued" | "running" | "success" | "failed") => {
        const r = (await sut.store.createRun(newRun(dagId, runId), [taskInstance("t")]))!;
        if (state !== "queued") await sut.store.commit({ runs: [{ id: r.id, state }] });
      };
      await run("d1", "q1", "queued");
      await run("d1", "r1", "running");
      await run("d1", "r2", "running");
      await run("d2", "s1", "success");
      await run("d3", "f1", "failed");
      await run("d4", "r1", "running"); // nobody owns d4
      expect(await sut.store.overview.schedulerLoads()).toEqual([
        { schedulerId: "a", dags: 2, queuedRuns: 1, runningRuns: 2 },
        { schedulerId: "b", dags: 1, queuedRuns: 0, runningRuns: 0 },
      ]);
      expect(await sut.store.fenceScheduler("a", 0, "b", 5)).toBe(true); // its DAGs go back: no load left
      expect(await sut.store.overview.schedulerLoads()).toEqual([{ schedulerId: "b", dags: 1, queuedRuns: 0, runningRuns: 0 }]);
    });

    it("countRuns: queued and running now, failed ones only when they ended at or after `since`", async () => {
      expect(await sut.store.overview.countRuns(0)).toEqual({ queued: 0, running: 0, failedSince: 0 });
      const make = async (runId: string, patch: { state?: "running" | "success" | "failed"; endedAt?: number }) => {
        const r = (await sut.store.createRun(newRun("etl", runId), [taskInstance("t")]))!;
        if (patch.state) await sut.store.commit({ runs: [{ id: r.id, ...patch }] });
      };
      await make("q1", {});
      await make("q2", {});
      await make("r1", { state: "running" });
      await make("old", { state: "failed", endedAt: 100 });
      await make("edge", { state: "failed", endedAt: 200 });
      await make("new", { state: "failed", endedAt: 300 });
      await make("ok", { state: "success", endedAt: 300 });
      expect(await sut.store.overview.countRuns(200)).toEqual({ queued: 2, running: 1, failedSince: 2 });
      expect(await sut.store.overview.countRuns(301)).toEqual({ queued: 2, running: 1, failedSince: 0 });
    });
  });
}
