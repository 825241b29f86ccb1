import { describe, expect, it } from "vitest";
import type { StoreUnderTest } from "./store-under-test.js";

export function describePoolsContract(sut: StoreUnderTest): void {
  describe("pools", () => {
    it("a fresh store has default_pool with 128 slots", async () => {
      expect(await sut.store.listPools()).toEqual([{ name: "default_pool", slots: 128, description: "Default pool" }]);
      expect(await sut.store.getPool("default_pool")).toEqual({ name: "default_pool", slots: 128, description: "Default pool" });
    });

    it("upsertPool creates and replaces; listPools orders by name", async () => {
      await sut.store.upsertPool({ name: "etl", slots: 4, description: "" });
      await sut.store.upsertPool({ name: "api", slots: 1, description: "rate-limited «API»" });
      await sut.store.upsertPool({ name: "etl", slots: 0, description: "paused" });
      expect(await sut.store.listPools()).toEqual([
        { name: "api", slots: 1, description: "rate-limited «API»" },
        { name: "default_pool", slots: 128, description: "Default pool" },
        { name: "etl", slots: 0, description: "paused" },
      ]);
    });

    it("deletePool removes a pool and returns false for an unknown one", async () => {
      await sut.store.upsertPool({ name: "etl", slots: 4, description: "" });
      expect(await sut.store.deletePool("etl")).toBe(true);
      expect(await sut.store.getPool("etl")).toBeUndefined();
      expect(await sut.store.deletePool("etl")).toBe(false);
    });

    it("default_pool cannot be deleted", async () => {
      await expect(sut.store.deletePool("default_pool")).rejects.toThrow(/default_pool/);
      expect(await sut.store.getPool("default_pool")).toBeDefined();
    });
  });
}
