import { describe, expect, it } from "vitest";
import { dag } from "../sdk/index.js";
import { testDag } from "./index.js";

// One key of a task's return value as another task's input (extract.key("rows")): Airflow's
// @task(multiple_outputs=True) with extract["rows"], or xcom_pull(task_ids="extract", key="rows"),
// through the real scheduler and executor.

describe("keys of a return value", () => {
  it("an input receives only that key (a path for .key().key()); the spec says which", async () => {
    const pipeline = dag({ id: "keys" }, (d) => {
      const extract = d.task("extract", async () => ({ rows: 3, meta: { path: "s3://b/k" }, big: "x".repeat(10) }));
      d.task("count", { inputs: { rows: extract.key("rows"), path: extract.key("meta").key("path"), all: extract } }, (_ctx, { rows, path, all }) => ({
        rows: rows + 1,
        path,
        keys: Object.keys(all).sort(),
      }));
    });
    const task = pipeline.toSpec().tasks.find((t) => t.taskId === "count")!;
    expect(task.inputs).toEqual({ rows: "extract", path: "extract", all: "extract" });
    expect(task.inputKeys).toEqual({ rows: ["rows"], path: ["meta", "path"] });
    expect(pipeline.toSpec().tasks.find((t) => t.taskId === "extract")).not.toHaveProperty("inputKeys");

    const run = await testDag(pipeline);
    expect(run.state).toBe("success");
    expect(run.task("count").value).toEqual({ rows: 4, path: "s3://b/k", keys: ["big", "meta", "rows"] });
  });

  it("a key the value lacks, or a value that is not an object, gives undefined (Airflow gives None)", async () => {
    const pipeline = dag({ id: "missing" }, (d) => {
      const maybe = d.task("maybe", async () => null as { n: number } | null);
      const partial = d.task("partial", async () => ({}) as { n?: number });
      d.task("use", { inputs: { a: maybe.key("n"), b: partial.key("n") } }, (_ctx, { a, b }) => [a === undefined, b === undefined]);
    });
    const run = await testDag(pipeline);
    expect(run.task("use").value).toEqual([true, true]);
  });

  it("key() needs a key name", () => {
    expect(() =>
      dag({ id: "bad" }, (d) => {
        const e = d.task("e", async () => ({ a: 1 }));
        (e.key as (k: unknown) => unknown)("");
      }).toSpec(),
    ).toThrow(/key\(\) expects a non-empty string naming a key of the task's return value, got ""/);
  });
});
