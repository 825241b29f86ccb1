import { describe, expect, it } from "vitest";
import type { TriggerSpec } from "../../core/sensors/sensor-wait.js";
import { newRun, taskInstance } from "./fixtures.js";
import type { StoreUnderTest } from "./store-under-test.js";

const trigger: TriggerSpec = {
  kind: "http",
  args: { conn: "api", path: "/ready/2026-01-02", headers: { accept: "application/json ✓" }, requestTimeoutMs: 30_000 },
  pokeIntervalMs: 60_000,
  exponentialBackoff: true,
  maxWaitMs: null,
  timeoutMs: 3_600_000,
  timeoutAt: 1_700_003_600_000,
  softFail: true,
  key: "etl#wait#2023-11-14T22:13:20.000Z",
};

/** Sensors in reschedule and deferred mode keep their progress (and deferred check) with the task instance. */
export function describeSensorWaitsContract(sut: StoreUnderTest): void {
  describe("sensor waits", () => {
    it("stores a rescheduled and a deferred sensor's progress and check, and finds them by state", async () => {
      const run = (await sut.store.createRun(newRun("etl", "r1"), [taskInstance("wait"), taskInstance("poll"), taskInstance("load")]))!;
      const deferred = taskInstance("wait", {
        runPk: run.id,
        state: "deferred",
        tryNumber: 1,
        sensorWait: { firstPokeAt: 1_700_000_000_000, pokes: 1, trigger },
      });
      const rescheduled = taskInstance("poll", {
        runPk: run.id,
        state: "up_for_reschedule",
        nextRetryAt: 1_700_000_060_000,
        sensorWait: { firstPokeAt: 1_700_000_000_001, pokes: 3, trigger: null },
      });
      await sut.store.commit({ taskInstances: [deferred, rescheduled] });
      const tis = await sut.store.listTaskInstances(run.id);
      expect(tis.find((t) => t.taskId === "wait")).toEqual(deferred);
      expect(tis.find((t) => t.taskId === "poll")).toEqual(rescheduled);
      expect(tis.find((t) => t.taskId === "load")?.sensorWait).toBeUndefined();
      const waiting = await sut.store.listTaskInstancesInStates(["up_for_reschedule", "deferred"]);
      expect(waiting.map((t) => [t.taskId, t.state, t.sensorWait?.pokes])).toEqual([
        ["poll", "up_for_reschedule", 3],
        ["wait", "deferred", 1],
      ]);
    });

    it("a task instance written without a sensor wait clears it", async () => {
      const run = (await sut.store.createRun(newRun("etl", "r2"), [taskInstance("wait")]))!;
      await sut.store.commit({
        taskInstances: [taskInstance("wait", { runPk: run.id, state: "deferred", sensorWait: { firstPokeAt: 5, pokes: 1, trigger } })],
      });
      const done = taskInstance("wait", { runPk: run.id, state: "success", output: "[]" });
      await sut.store.commit({ taskInstances: [done] });
      expect(await sut.store.listTaskInstances(run.id)).toEqual([done]);
      expect((await sut.store.listTaskInstances(run.id))[0]).not.toHaveProperty("sensorWait");
    });
  });
}
