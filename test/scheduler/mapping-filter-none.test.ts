import { describe, expect, it } from "vitest";
import { dag } from "../../src/sdk/index.js";
import { testDag } from "../../src/testing/index.js";

// Airflow's "filtering items from a mapped task" (docs/authoring.md#dynamic-task-mapping): a copy
// that returns nothing adds no element to its mapped task's value, so the next mapping and a
// reduce do not see it. Through the real scheduler on testDag's virtual clock.

describe("mapped task values", () => {
  it("a copy returning null or nothing is filtered out of the list downstream tasks receive", async () => {
    const pipeline = dag({ id: "filter_files" }, (d) => {
      const files = d.task("get_files", () => ["a.csv", "read-me.txt", "b.csv", "notes.txt"]);
      const kept = d.task("filter_files", { map: { name: files } }, async (_ctx, { name }) =>
        name.startsWith("read-me") ? null : name.endsWith(".txt") ? undefined : name,
      );
      const processed = d.task("process_file", { map: { file: kept } }, async (_ctx, { file }) => `processed ${file}`);
      d.task("count", { inputs: { kept, processed } }, async (_ctx, { kept, processed }) => ({ kept, processed }));
    });
    const run = await testDag(pipeline, { now: "2026-03-01T08:00:00Z" });
    expect(run.state).toBe("success");
    // Every copy succeeded; only the two that returned a value count.
    expect(run.task("filter_files").copies.map((c) => c.state)).toEqual(["success", "success", "success", "success"]);
    expect(run.task("filter_files").value).toEqual(["a.csv", "b.csv"]);
    expect(run.task("process_file").copies).toHaveLength(2);
    expect(run.task("count").value).toEqual({ kept: ["a.csv", "b.csv"], processed: ["processed a.csv", "processed b.csv"] });
  });

  it("an upstream object maps over its [key, value] pairs, as Airflow maps a dict", async () => {
    const pipeline = dag({ id: "dict_map" }, (d) => {
      const sizes = d.task("sizes", () => ({ "a.csv": 10, "b.csv": 32 }));
      const lines = d.task("describe", { map: { entry: sizes } }, async (ctx, { entry }) => `${ctx.mapIndex}: ${entry[0]} has ${entry[1]} rows`);
      d.task("all", { inputs: { lines } }, async (_ctx, { lines }) => lines.join("; "));
    });
    const run = await testDag(pipeline, { now: "2026-03-01T08:00:00Z" });
    expect(run.state).toBe("success");
    expect(run.task("all").value).toBe("0: a.csv has 10 rows; 1: b.csv has 32 rows");
  });

  it("copies that all return nothing give an empty list: the next mapping is skipped", async () => {
    const pipeline = dag({ id: "none_left" }, (d) => {
      const kept = d.task("keep", { map: { x: [1, 2] } }, async () => null);
      d.task("use", { map: { x: kept } }, async (_ctx, { x }) => x);
    });
    const run = await testDag(pipeline, { now: "2026-03-01T08:00:00Z" });
    expect(run.task("keep").value).toEqual([]);
    expect(run.task("use").state).toBe("skipped");
  });
});
