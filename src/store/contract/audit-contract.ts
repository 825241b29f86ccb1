import { describe, expect, it } from "vitest";
import type { NewAuditEntry } from "../../core/model/audit.js";
import { AWKWARD_JSON, newRun } from "./fixtures.js";
import type { StoreUnderTest } from "./store-under-test.js";

const T0 = 1_700_000_000_000;

const entry = (action: string, over: Partial<NewAuditEntry> = {}): NewAuditEntry => ({
  at: T0,
  actor: { name: "ada", via: "session", tokenId: null },
  action,
  target: { type: "run", id: "manual__1" },
  dagId: "etl",
  before: null,
  after: null,
  details: null,
  ...over,
});

export function describeAuditContract(sut: StoreUnderTest): void {
  describe("audit log", () => {
    it("recordAudit returns the entry with an increasing id; every field round-trips", async () => {
      const full = entry("connection.update", {
        actor: { name: "bob", via: "token", tokenId: "0123456789ab" },
        target: { type: "connection", id: "warehouse" },
        dagId: null,
        before: { host: "a", port: 5432, extra: { nested: [1, "two", null] } },
        after: AWKWARD_JSON,
        details: { method: "PATCH", path: "/api/v1/connections/warehouse" },
      });
      const first = await sut.store.recordAudit(entry("run.trigger"));
      const second = await sut.store.recordAudit(full);
      expect(second).toEqual({ id: expect.any(Number), ...full });
      expect(second.id).toBeGreaterThan(first.id);
      const bare = await sut.store.recordAudit(entry("login.failure", { target: null, dagId: null, actor: { name: "nobody", via: "login", tokenId: null } }));
      expect(bare.target).toBeNull();
      expect(await sut.store.listAudit({ limit: 10 })).toEqual([bare, second, first]);
    });

    it("listAudit filters by actor, exact action or action prefix, DAG, target and time, newest first, paged by id", async () => {
      await sut.store.recordAudit(entry("run.trigger", { at: T0 }));
      await sut.store.recordAudit(entry("run.clear", { at: T0 + 1000 }));
      await sut.store.recordAudit(entry("runner.odd", { at: T0 + 1500 })); // "run.*" must not match "runner."
      await sut.store.recordAudit(entry("dag.pause", { at: T0 + 2000, dagId: "other", target: { type: "dag", id: "other" } }));
      await sut.store.recordAudit(
        entry("pool.update", { at: T0 + 3000, actor: { name: "cli:root", via: "cli", tokenId: null }, dagId: null, target: { type: "pool", id: "p" } }),
      );
      const actions = async (f: Omit<Parameters<typeof sut.store.listAudit>[0], "limit">) =>
        (await sut.store.listAudit({ limit: 100, ...f })).map((e) => e.action);

      expect(await actions({})).toEqual(["pool.update", "dag.pause", "runner.odd", "run.clear", "run.trigger"]);
      expect(await actions({ actor: "cli:root" })).toEqual(["pool.update"]);
      expect(await actions({ action: "run.clear" })).toEqual(["run.clear"]);
      expect(await actions({ action: "run.*" })).toEqual(["run.clear", "run.trigger"]);
      expect(await actions({ action: "run%" })).toEqual([]);
      expect(await actions({ dagId: "other" })).toEqual(["dag.pause"]);
      expect(await actions({ targetId: "p" })).toEqual(["pool.update"]);
      expect(await actions({ since: T0 + 1000, until: T0 + 3000 })).toEqual(["dag.pause", "runner.odd", "run.clear"]);
      expect(await actions({ dagId: "etl", action: "run.*", since: T0 + 1 })).toEqual(["run.clear"]);

      const page1 = await sut.store.listAudit({ limit: 2 });
      const page2 = await sut.store.listAudit({ limit: 2, beforeId: page1[1]!.id });
      expect([...page1, ...page2].map((e) => e.action)).toEqual(["pool.update", "dag.pause", "runner.odd", "run.clear"]);
      expect(await sut.store.listAudit({ limit: 0 })).toEqual([]);
    });

    it("pruneAudit deletes entries older than the cut-off and reports how many", async () => {
      await sut.store.recordAudit(entry("a.old", { at: T0 - 2 }));
      await sut.store.recordAudit(entry("a.edge", { at: T0 }));
      await sut.store.recordAudit(entry("a.new", { at: T0 + 1 }));
      expect(await sut.store.pruneAudit(T0)).toBe(1);
      expect((await sut.store.listAudit({ limit: 10 })).map((e) => e.action)).toEqual(["a.new", "a.edge"]);
      expect(await sut.store.pruneAudit(T0)).toBe(0);
    });

    it("a run keeps who triggered it; runs without one have no triggeredBy", async () => {
      const mine = await sut.store.createRun({ ...newRun("etl", "manual__1"), triggeredBy: "cli:root" }, []);
      expect(mine?.triggeredBy).toBe("cli:root");
      expect((await sut.store.getRun("etl", "manual__1"))?.triggeredBy).toBe("cli:root");
      const scheduled = await sut.store.createRun(newRun("etl", "scheduled__1"), []);
      expect(scheduled).not.toHaveProperty("triggeredBy");
    });
  });
}
