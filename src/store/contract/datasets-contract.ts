import { describe, expect, it } from "vitest";
import type { NewDatasetEvent } from "../../core/model/records.js";
import { AWKWARD_JSON, newRun, taskInstance } from "./fixtures.js";
import type { StoreUnderTest } from "./store-under-test.js";

const T0 = 1_700_000_000_000;

const fromTask = (uri: string, tryNumber = 1, runId = "r1"): NewDatasetEvent => ({
  uri,
  source: { dagId: "producer", runId, taskId: "load", tryNumber },
  extra: {},
  createdAt: T0 + tryNumber,
});

const external = (uri: string, extra: Record<string, unknown> = {}): NewDatasetEvent => ({ uri, source: null, extra, createdAt: T0 });

export function describeDatasetsContract(sut: StoreUnderTest): void {
  describe("datasets", () => {
    it("recordDatasetEvents returns the stored events with increasing ids; extra round-trips", async () => {
      const stored = await sut.store.recordDatasetEvents([fromTask("warehouse://sales"), external("s3://raw/events", AWKWARD_JSON)]);
      expect(stored).toEqual([
        { id: expect.any(Number), ...fromTask("warehouse://sales") },
        { id: expect.any(Number), ...external("s3://raw/events", AWKWARD_JSON) },
      ]);
      expect(stored[1]!.id).toBeGreaterThan(stored[0]!.id);
      expect(await sut.store.listDatasetEvents({})).toEqual([...stored].reverse());
      expect(await sut.store.recordDatasetEvents([])).toEqual([]);
    });

    it("commit writes dataset events with the attempt's success in one transaction, once per (uri, attempt)", async () => {
      const run = (await sut.store.createRun(newRun("producer", "r1"), [taskInstance("load")]))!;
      const success = { ...taskInstance("load", { state: "success" }), runPk: run.id };
      await sut.store.commit({ taskInstances: [success], datasetEvents: [fromTask("w://sales")] });
      await sut.store.commit({ taskInstances: [success], datasetEvents: [fromTask("w://sales")] }); // a retried flush
      expect(await sut.store.listDatasetEvents({ uris: ["w://sales"] })).toMatchObject([{ uri: "w://sales", source: { taskId: "load" } }]);
      // A commit that fails writes none of its events.
      const orphan = { ...taskInstance("load", { state: "success" }), runPk: run.id + 999 };
      await expect(sut.store.commit({ taskInstances: [orphan], datasetEvents: [fromTask("w://lost", 2)] })).rejects.toThrow();
      expect(await sut.store.listDatasetEvents({ uris: ["w://lost"] })).toEqual([]);
      // Events alone are a valid change set.
      await sut.store.commit({ datasetEvents: [external("w://solo")] });
      expect(await sut.store.listDatasetEvents({ uris: ["w://solo"] })).toHaveLength(1);
    });

    it("an attempt's event is recorded once per URI; external events always append", async () => {
      await sut.store.recordDatasetEvents([fromTask("a://x")]);
      expect(await sut.store.recordDatasetEvents([fromTask("a://x"), fromTask("a://x", 2)])).toMatchObject([{ uri: "a://x", source: { tryNumber: 2 } }]);
      await sut.store.recordDatasetEvents([external("a://x"), external("a://x")]);
      expect(await sut.store.listDatasetEvents({ uris: ["a://x"] })).toHaveLength(4);
    });

    it("listDatasetEvents filters by URIs and id bounds, newest first, within the limit", async () => {
      const ids = (await sut.store.recordDatasetEvents(["a://1", "b://1", "a://1", "c://1", "a://1"].map((u) => external(u)))).map((e) => e.id);
      const idsOf = async (f: Parameters<typeof sut.store.listDatasetEvents>[0]) => (await sut.store.listDatasetEvents(f)).map((e) => e.id);
      expect(await idsOf({ uris: ["a://1"] })).toEqual([ids[4], ids[2], ids[0]]);
      expect(await idsOf({ uris: ["a://1", "c://1"], afterId: ids[2] })).toEqual([ids[4], ids[3]]);
      expect(await idsOf({ beforeId: ids[2], limit: 1 })).toEqual([ids[1]]);
      expect(await idsOf({ uris: [] })).toEqual([]);
      await expect(sut.store.listDatasetEvents({ limit: -1 })).rejects.toThrow(/limit/);
    });

    it("listDatasetSummaries gives count and latest event per URI, by URI", async () => {
      expect(await sut.store.listDatasetSummaries()).toEqual([]);
      const [first, , last] = await sut.store.recordDatasetEvents([external("b://1"), external("a://1"), external("b://1", { n: 2 })]);
      const summaries = await sut.store.listDatasetSummaries();
      expect(summaries.map((s) => [s.uri, s.eventCount])).toEqual([
        ["a://1", 1],
        ["b://1", 2],
      ]);
      expect(summaries[1]!.lastEvent).toEqual(last);
      expect(summaries[1]!.lastEvent.id).toBeGreaterThan(first!.id);
      expect((await sut.store.listDatasetSummaries(["b://1", "z://none"])).map((s) => s.uri)).toEqual(["b://1"]);
      expect(await sut.store.listDatasetSummaries([])).toEqual([]);
    });

    it("a DAG's cursor starts at 0 and only moves forward", async () => {
      expect(await sut.store.getDatasetCursor("consumer")).toBe(0);
      await sut.store.setDatasetCursor("consumer", 7, T0);
      await sut.store.setDatasetCursor("consumer", 3, T0);
      expect(await sut.store.getDatasetCursor("consumer")).toBe(7);
      await sut.store.setDatasetCursor("consumer", 9, T0);
      expect(await sut.store.getDatasetCursor("consumer")).toBe(9);
      expect(await sut.store.getDatasetCursor("other")).toBe(0);
    });
  });
}
