import { describe, expect, it } from "vitest";
import type { StoredConnection, StoredVariable } from "../../core/ports/secret-store.js";
import type { StoreUnderTest } from "./store-under-test.js";

const T0 = 1_700_000_000_000;

const conn = (id: string, overrides: Partial<StoredConnection> = {}): StoredConnection => ({
  id,
  type: "postgres",
  encrypted: `v1:aXY=:dGFn:${id}`,
  description: "",
  updatedAt: T0,
  ...overrides,
});

const variable = (key: string, overrides: Partial<StoredVariable> = {}): StoredVariable => ({
  key,
  encrypted: `v1:aXY=:dGFn:${key}`,
  description: "",
  updatedAt: T0,
  ...overrides,
});

export function describeSecretsContract(sut: StoreUnderTest): void {
  describe("connections", () => {
    it("upsertConnection creates and replaces; getConnection reads it back unchanged", async () => {
      await sut.store.upsertConnection(conn("wh", { description: "warehouse «prod»" }));
      expect(await sut.store.getConnection("wh")).toEqual(conn("wh", { description: "warehouse «prod»" }));
      const replaced = conn("wh", { type: "mysql", encrypted: "v1:b:c:d", description: "", updatedAt: T0 + 1 });
      await sut.store.upsertConnection(replaced);
      expect(await sut.store.getConnection("wh")).toEqual(replaced);
      expect(await sut.store.getConnection("nope")).toBeUndefined();
    });

    it("listConnections orders by id", async () => {
      for (const id of ["b", "a", "c"]) await sut.store.upsertConnection(conn(id));
      expect((await sut.store.listConnections()).map((c) => c.id)).toEqual(["a", "b", "c"]);
    });

    it("deleteConnection returns whether it deleted", async () => {
      await sut.store.upsertConnection(conn("x"));
      expect(await sut.store.deleteConnection("x")).toBe(true);
      expect(await sut.store.deleteConnection("x")).toBe(false);
      expect(await sut.store.listConnections()).toEqual([]);
    });
  });

  describe("variables", () => {
    it("upsertVariable creates and replaces; getVariable reads it back unchanged", async () => {
      await sut.store.upsertVariable(variable("api_key", { description: "d" }));
      expect(await sut.store.getVariable("api_key")).toEqual(variable("api_key", { description: "d" }));
      await sut.store.upsertVariable(variable("api_key", { encrypted: "v1:x:y:z", updatedAt: T0 + 5 }));
      expect(await sut.store.getVariable("api_key")).toEqual(variable("api_key", { encrypted: "v1:x:y:z", updatedAt: T0 + 5 }));
      expect(await sut.store.getVariable("nope")).toBeUndefined();
    });

    it("listVariables orders by key; deleteVariable returns whether it deleted", async () => {
      for (const key of ["z", "a"]) await sut.store.upsertVariable(variable(key));
      expect((await sut.store.listVariables()).map((v) => v.key)).toEqual(["a", "z"]);
      expect(await sut.store.deleteVariable("z")).toBe(true);
      expect(await sut.store.deleteVariable("z")).toBe(false);
      expect((await sut.store.listVariables()).map((v) => v.key)).toEqual(["a"]);
    });

    it("a connection and a variable may share a name", async () => {
      await sut.store.upsertConnection(conn("same"));
      await sut.store.upsertVariable(variable("same"));
      expect(await sut.store.deleteConnection("same")).toBe(true);
      expect(await sut.store.getVariable("same")).toBeDefined();
    });
  });
}
