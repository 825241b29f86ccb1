import { describe, expect, it } from "vitest";
import { FencedError } from "../../core/errors.js";
import { dagVersion, newRun, taskInstance } from "./fixtures.js";
import type { StoreUnderTest } from "./store-under-test.js";

const lease = (id: string, startedAt = 1) => ({ id, host: "h", pid: 7, version: "0.0.0", startedAt });

export function describeSchedulerLeasesContract(sut: StoreUnderTest): void {
  describe("scheduler leases", () => {
    it("registers at beat 0; each beat adds one; a fenced or unknown lease cannot beat", async () => {
      await sut.store.registerScheduler(lease("b"));
      await sut.store.registerScheduler(lease("a", 5));
      expect(await sut.store.beatScheduler("a", 10)).toBe(true);
      expect(await sut.store.beatScheduler("a", 11)).toBe(true);
      expect(await sut.store.listSchedulerLeases()).toEqual([
        { ...lease("a", 5), beat: 2, beatAt: 11, fencedAt: null, fencedBy: null },
        { ...lease("b"), beat: 0, beatAt: 1, fencedAt: null, fencedBy: null },
      ]);
      expect(await sut.store.fenceScheduler("a", 2, "b", 20)).toBe(true);
      expect(await sut.store.beatScheduler("a", 21)).toBe(false);
      expect(await sut.store.beatScheduler("nobody", 21)).toBe(false);
      expect((await sut.store.listSchedulerLeases())[0]).toMatchObject({ id: "a", beat: 2, fencedAt: 20, fencedBy: "b" });
    });

    it("fences only at the beat the observer saw (compare-and-set), once", async () => {
      await sut.store.registerScheduler(lease("a"));
      await sut.store.beatScheduler("a", 2);
      expect(await sut.store.fenceScheduler("a", 0, "b", 3)).toBe(false); // it beat since: alive
      expect(await sut.store.fenceScheduler("a", 1, "b", 3)).toBe(true);
      expect(await sut.store.fenceScheduler("a", 1, "c", 4)).toBe(false);
      expect((await sut.store.listSchedulerLeases())[0]).toMatchObject({ fencedAt: 3, fencedBy: "b" });
    });

    it("a fenced commit writes while the lease holds, and after the fence throws FencedError and writes nothing", async () => {
      await sut.store.registerScheduler(lease("a"));
      const run = (await sut.store.createRun(newRun("etl", "r1"), [taskInstance("t")]))!;
      await sut.store.commit({ runs: [{ id: run.id, state: "running" }] }, { schedulerId: "a" });
      expect((await sut.store.getRunById(run.id))?.state).toBe("running");
      expect(await sut.store.fenceScheduler("a", 0, "b", 9)).toBe(true);
      const late = { runs: [{ id: run.id, state: "success" as const }], taskInstances: [taskInstance("t", { runPk: run.id, state: "success" })] };
      await expect(sut.store.commit(late, { schedulerId: "a" })).rejects.toBeInstanceOf(FencedError);
      await expect(sut.store.commit(late, { schedulerId: "never-registered" })).rejects.toThrow(/fenced/);
      expect((await sut.store.getRunById(run.id))?.state).toBe("running");
      expect((await sut.store.listTaskInstances(run.id)).map((ti) => ti.state)).toEqual(["none"]);
    });

    it("claims unowned DAGs in id order, never one another live scheduler owns; a fence hands them back", async () => {
      for (const id of ["d1", "d2", "d3", "d4", "d5"]) await sut.store.saveDagVersion(dagVersion(id, `v-${id}`));
      await sut.store.registerScheduler(lease("a"));
      await sut.store.registerScheduler(lease("b"));
      expect(await sut.store.claimDags("a", 2)).toEqual(["d1", "d2"]);
      expect(await sut.store.claimDags("b", 10)).toEqual(["d3", "d4", "d5"]);
      expect(await sut.store.claimDags("a", 10)).toEqual([]);
      await sut.store.releaseDags("a", ["d2", "d3"]); // d3 is b's: left alone
      expect(await sut.store.listOwnedDags("a")).toEqual(["d1"]);
      expect(await sut.store.listOwnedDags("b")).toEqual(["d3", "d4", "d5"]);
      expect(await sut.store.fenceScheduler("b", 0, "a", 5)).toBe(true);
      expect(await sut.store.listOwnedDags("b")).toEqual([]);
      expect(await sut.store.claimDags("a", 10)).toEqual(["d2", "d3", "d4", "d5"]);
    });

    it("claimers at once never get the same DAG", async () => {
      for (let i = 0; i < 20; i++) await sut.store.saveDagVersion(dagVersion(`d${String(i).padStart(2, "0")}`, `v${i}`));
      const ids = ["s1", "s2", "s3", "s4"];
      for (const id of ids) await sut.store.registerScheduler(lease(id));
      // Many rounds: a claimer that scans while another commits must not take what it took
      // (seen on PostgreSQL: 24 claims of 18 DAGs when the select alone decided).
      for (let round = 0; round < 15; round++) {
        const claimed = await Promise.all(ids.map((id) => sut.store.claimDags(id, 6)));
        const all = claimed.flat();
        expect(new Set(all).size).toBe(all.length);
        for (const [i, id] of ids.entries()) expect(await sut.store.listOwnedDags(id)).toEqual([...claimed[i]!].sort());
        for (const [i, id] of ids.entries()) await sut.store.releaseDags(id, claimed[i]!);
      }
    });

    it("pool grants never add up to more than the pool's slots; returned and fenced grants free slots", async () => {
      await sut.store.upsertPool({ name: "p", slots: 4, description: "" });
      for (const id of ["a", "b", "c"]) await sut.store.registerScheduler(lease(id));
      expect(await sut.store.grantPoolSlots("p", "a", 3)).toBe(3);
      expect(await sut.store.grantPoolSlots("p", "b", 3)).toBe(1);
      expect(await sut.store.grantPoolSlots("p", "c", 1)).toBe(0);
      expect(await sut.store.grantPoolSlots("p", "a", 1)).toBe(1); // gives 2 back
      expect(await sut.store.grantPoolSlots("p", "c", 5)).toBe(2);
      expect(await sut.store.fenceScheduler("c", 0, "a", 1)).toBe(true);
      expect(await sut.store.grantPoolSlots("p", "b", 9)).toBe(3);
      expect(await sut.store.grantPoolSlots("nope", "a", 1)).toBe(0);
    });

    it("grants asked for at once stay within the pool", async () => {
      await sut.store.upsertPool({ name: "p", slots: 5, description: "" });
      const ids = ["a", "b", "c", "d", "e", "f"];
      for (const id of ids) await sut.store.registerScheduler(lease(id));
      const grants = await Promise.all(ids.map((id) => sut.store.grantPoolSlots("p", id, 2)));
      expect(grants.reduce((x, y) => x + y, 0)).toBe(5);
    });
  });
}
