import { describe, expect, it } from "vitest";
import type { DagSpec } from "../../core/model/dag-spec.js";
import type { NewDatasetEvent } from "../../core/model/records.js";
import { dagVersion, newRun, taskSpec } from "./fixtures.js";
import type { StoreUnderTest } from "./store-under-test.js";

const T0 = 1_700_000_000_000;

const event = (uri: string, createdAt = T0): NewDatasetEvent => ({ uri, source: null, extra: {}, createdAt });

export function describeSearchContract(sut: StoreUnderTest): void {
  describe("global search (catalog)", () => {
    async function saveDag(dagId: string, over: Partial<DagSpec> = {}, hash = `h-${dagId}`): Promise<void> {
      const v = dagVersion(dagId, hash);
      v.spec = { ...v.spec, tags: [], description: null, ...over };
      await sut.store.saveDagVersion(v);
    }

    it("finds DAGs by id, tag, owner and description: exact, then prefix, then substring", async () => {
      await saveDag("sales_daily", { tags: ["finance"], owner: "ada" });
      await saveDag("sales", { description: "Sales numbers" });
      await saveDag("presales_report", { owner: "grace" });
      await saveDag("hr", { tags: ["sales"], description: null });
      await saveDag("other", { description: "Loads warehouse tables" });
      const { dags } = await sut.store.catalog.search({ text: "Sales", limit: 10 });
      // exact id, exact tag, prefix id, substring id (description loses to the id of "sales").
      expect(dags.map((d) => [d.dagId, d.matched])).toEqual([
        ["sales", "id"],
        ["hr", "tag"],
        ["sales_daily", "id"],
        ["presales_report", "id"],
      ]);
      expect(dags[2]).toMatchObject({ owner: "ada", tags: ["finance"], paused: false, latestRun: null });
      expect((await sut.store.catalog.search({ text: "grac", limit: 10 })).dags.map((d) => [d.dagId, d.matched])).toEqual([["presales_report", "owner"]]);
      expect((await sut.store.catalog.search({ text: "warehouse tab", limit: 10 })).dags.map((d) => [d.dagId, d.matched])).toEqual([["other", "description"]]);
      expect((await sut.store.catalog.search({ text: "sales", limit: 2 })).dags).toHaveLength(2);
    });

    it("finds tasks of each active DAG's latest version only, with the DAG's newest run to open them in", async () => {
      await saveDag("etl", { tasks: [taskSpec("extract_orders"), taskSpec("load_orders", ["extract_orders"])] }, "h1");
      await saveDag("etl", { tasks: [taskSpec("extract_orders"), taskSpec("publish")] }, "h2");
      await saveDag("gone", { tasks: [taskSpec("load_orders")] });
      await sut.store.deactivateDags("/dags/gone.ts", []);
      await sut.store.createRun(newRun("etl", "r-old"), []);
      await sut.store.createRun(newRun("etl", "r-new", { state: "failed" }), []);

      const found = await sut.store.catalog.search({ text: "orders", limit: 10 });
      expect(found.tasks).toEqual([{ dagId: "etl", taskId: "extract_orders", kind: "function", latestRunId: "r-new" }]);
      expect((await sut.store.catalog.search({ text: "PUBLISH", limit: 10 })).tasks.map((t) => t.taskId)).toEqual(["publish"]);
      expect((await sut.store.catalog.search({ text: "etl", limit: 10 })).dags[0]?.latestRun).toEqual({ runId: "r-new", state: "failed" });
      expect((await sut.store.catalog.search({ text: "gone", limit: 10 })).dags).toEqual([]);
    });

    it("finds runs of active DAGs by run id, exact and prefix before substring, then newest first, up to the limit", async () => {
      await saveDag("etl");
      await saveDag("gone");
      await sut.store.deactivateDags("/dags/gone.ts", []);
      await sut.store.createRun(newRun("etl", "manual__2"), []);
      await sut.store.createRun(newRun("etl", "manual__3", { runType: "scheduled", state: "success" }), []);
      // The newest, but only a substring match: after the prefix matches.
      await sut.store.createRun(newRun("etl", "nightly_manual__1", { logicalDate: T0 }), []);
      await sut.store.createRun(newRun("gone", "manual__4"), []);

      const { runs } = await sut.store.catalog.search({ text: "MANUAL", limit: 10 });
      expect(runs.map((r) => r.runId)).toEqual(["manual__3", "manual__2", "nightly_manual__1"]);
      expect(runs[0]).toEqual({ dagId: "etl", runId: "manual__3", state: "success", runType: "scheduled", logicalDate: null, createdAt: T0 });
      expect(runs[2]?.logicalDate).toBe(T0);
      expect((await sut.store.catalog.search({ text: "manual__2", limit: 10 })).runs.map((r) => r.runId)).toEqual(["manual__2"]);
      expect((await sut.store.catalog.search({ text: "manual", limit: 1 })).runs.map((r) => r.runId)).toEqual(["manual__3"]);
    });

    it("finds datasets from tasks' outlets and inlets and from recorded events, with their event counts", async () => {
      const producer = { ...taskSpec("load"), outlets: ["warehouse://sales"], inlets: ["s3://raw/sales.csv"] };
      await saveDag("etl", { tasks: [producer] });
      await sut.store.recordDatasetEvents([
        event("warehouse://sales"),
        event("warehouse://sales", T0 + 1),
        event("kafka://sales-topic"),
        event("warehouse://hr"),
      ]);
      const { datasets } = await sut.store.catalog.search({ text: "sales", limit: 10 });
      expect(datasets).toEqual([
        { uri: "kafka://sales-topic", eventCount: 1 },
        { uri: "s3://raw/sales.csv", eventCount: 0 },
        { uri: "warehouse://sales", eventCount: 2 },
      ]);
      expect((await sut.store.catalog.search({ text: "warehouse://", limit: 10 })).datasets.map((d) => d.uri)).toEqual(["warehouse://hr", "warehouse://sales"]);
    });

    it("takes %, _, quotes and backslashes literally; a blank query finds nothing", async () => {
      await saveDag("a_b", { description: 'say "hi" \\ bye' });
      await saveDag("axb");
      await sut.store.createRun(newRun("axb", "run%1"), []);
      await sut.store.createRun(newRun("axb", "run21"), []);
      expect((await sut.store.catalog.search({ text: "a_", limit: 10 })).dags.map((d) => d.dagId)).toEqual(["a_b"]);
      expect((await sut.store.catalog.search({ text: "n%", limit: 10 })).runs.map((r) => r.runId)).toEqual(["run%1"]);
      expect((await sut.store.catalog.search({ text: '"hi" \\', limit: 10 })).dags.map((d) => d.dagId)).toEqual(["a_b"]);
      expect(await sut.store.catalog.search({ text: "  ", limit: 10 })).toEqual({ dags: [], runs: [], tasks: [], datasets: [] });
    });
  });
}
