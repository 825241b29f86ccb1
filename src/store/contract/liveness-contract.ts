import { describe, expect, it } from "vitest";
import type { StoreUnderTest } from "./store-under-test.js";

export function describeLivenessContract(sut: StoreUnderTest): void {
  describe("heartbeats", () => {
    it("upserts by (component, id) and lists one component by id", async () => {
      await sut.store.heartbeat("scheduler", "host-b", 10);
      await sut.store.heartbeat("scheduler", "host-a", 11);
      await sut.store.heartbeat("worker", "host-a", 12);
      await sut.store.heartbeat("scheduler", "host-b", 0);
      expect(await sut.store.listHeartbeats("scheduler")).toEqual([
        { id: "host-a", at: 11 },
        { id: "host-b", at: 0 },
      ]);
      expect(await sut.store.listHeartbeats("worker")).toEqual([{ id: "host-a", at: 12 }]);
      expect(await sut.store.listHeartbeats("api")).toEqual([]);
    });
  });
}
