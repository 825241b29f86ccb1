import { describe, expect, it } from "vitest";
import { DagDefinitionError } from "../core/errors.js";
import { nextScheduledRun } from "../core/timetable/timetable.js";
import { dag, shell, task } from "./index.js";

describe("datasets in the SDK", () => {
  it("serializes a task's inlets and outlets (de-duplicated), for functions and shell tasks", () => {
    const spec = dag({ id: "producer" }, () => {
      task("load", { inlets: ["s3://raw/events"], outlets: ["warehouse://sales", "warehouse://sales", "warehouse://sales.daily"] }, () => 1);
      shell("export", { command: "true", outlets: ["file:///tmp/out.csv"] });
      task("plain", () => 2);
    }).toSpec();
    expect(spec.tasks.map((t) => [t.taskId, t.inlets, t.outlets])).toEqual([
      ["load", ["s3://raw/events"], ["warehouse://sales", "warehouse://sales.daily"]],
      ["export", [], ["file:///tmp/out.csv"]],
      ["plain", [], []],
    ]);
  });

  it("serializes a schedule on datasets, which the clock never fires", () => {
    const spec = dag({ id: "consumer", schedule: { datasets: ["warehouse://sales", "s3://raw/events"] } }, () => void task("t", () => 1)).toSpec();
    expect(spec.schedule).toEqual({ kind: "datasets", uris: ["warehouse://sales", "s3://raw/events"] });
    const t = { schedule: spec.schedule, startDate: 0, endDate: null, timezone: "UTC", catchup: true };
    expect(nextScheduledRun(t, null, Date.UTC(2026, 0, 1))).toBeNull();
  });

  it.each([
    [{ outlets: ["sales"] }, /outlets has an invalid dataset URI "sales"; use "<scheme>:\/\/<path>"/],
    [{ inlets: ["S3://x"] }, /inlets has an invalid dataset URI "S3:\/\/x"/],
    [{ outlets: ["warehouse://"] }, /invalid dataset URI/],
    [{ outlets: "warehouse://sales" }, /outlets must be a list of dataset URIs/],
    [{ outlets: [42] }, /invalid dataset URI 42/],
  ])("rejects task option %j naming the option", (options, message) => {
    const def = dag({ id: "bad" }, () => void task("t", options as never, () => 1));
    expect(() => def.toSpec()).toThrow(DagDefinitionError);
    expect(() => def.toSpec()).toThrow(message);
  });

  it.each([
    [{ datasets: [] }, /schedule.datasets must list at least one dataset URI/],
    [{ datasets: ["nope"] }, /schedule.datasets has an invalid dataset URI "nope"/],
    [{ dataset: ["a://b"] }, /unknown schedule key "dataset"; valid schedule keys: datasets/],
    [42, /schedule must be a string, \{ datasets: \[...\] \} or null/],
  ])("rejects schedule %j naming the problem", (schedule, message) => {
    expect(() => dag({ id: "bad", schedule: schedule as never }, () => void task("t", () => 1)).toSpec()).toThrow(message);
  });
});

describe("datasets typing", () => {
  it("accepts only scheme://path strings where the type can tell", () => {
    // Compile-time only: checked by `tsc --noEmit -p .`.
    const declare = () => {
      dag({ id: "ok", schedule: { datasets: ["warehouse://sales"] } }, () => void task("t", { outlets: ["s3://raw/events"] }, () => 1));
      // @ts-expect-error a dataset URI needs "://"
      dag({ id: "bad", schedule: { datasets: ["sales"] } }, () => {});
      // @ts-expect-error outlets are URIs, not bare names
      task("t", { outlets: ["sales"] }, () => 1);
    };
    expect(typeof declare).toBe("function");
  });
});
