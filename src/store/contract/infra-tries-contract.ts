import { describe, expect, it } from "vitest";
import { newRun, taskInstance } from "./fixtures.js";
import type { StoreUnderTest } from "./store-under-test.js";

/** A task instance keeps the count of its tries the machine failed (0007), written and read back. */
export function describeInfraTriesContract(sut: StoreUnderTest): void {
  describe("infrastructure tries", () => {
    it("stores infraTries with the task instance, updates it, and reads 0 as absent", async () => {
      const run = (await sut.store.createRun(newRun("etl", "infra-1"), [taskInstance("load")]))!;
      expect((await sut.store.listTaskInstances(run.id))[0]).not.toHaveProperty("infraTries");
      const retry = taskInstance("load", { runPk: run.id, state: "up_for_retry", tryNumber: 3, maxTries: 1, infraTries: 2, nextRetryAt: 1_700_000_001_000 });
      await sut.store.commit({ taskInstances: [retry] });
      expect(await sut.store.listTaskInstances(run.id)).toEqual([retry]);
      const cleared = taskInstance("load", { runPk: run.id, state: "none", tryNumber: 3, maxTries: 4 });
      await sut.store.commit({ taskInstances: [cleared] });
      expect(await sut.store.listTaskInstances(run.id)).toEqual([cleared]);
    });
  });
}
