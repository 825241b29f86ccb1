import { describe, expect, it } from "vitest";
import type { MapSpec } from "../model/dag-spec.js";
import { expandMap, mapArguments, mappedTaskState } from "./expand-map.js";

const spec = (over: Record<string, string>, values: Record<string, unknown[]> = {}, maxLength = 1024): MapSpec => ({
  over,
  values,
  partial: { bucket: "raw" },
  maxLength,
  maxActive: null,
});

describe("expandMap", () => {
  it("expands over an upstream list, one copy per element", () => {
    const e = expandMap("load", spec({ file: "list" }), () => ["a", "b", "c"]);
    expect(e).toEqual({ ok: true, length: 3, lists: [["file", ["a", "b", "c"]]] });
  });

  it("expands several lists as a cross product, the last varying fastest", () => {
    const e = expandMap("t", spec({ x: "xs" }, { y: [10, 20] }), () => [1, 2, 3]);
    if (!e.ok) throw new Error(e.error);
    expect(e.length).toBe(6);
    const all = Array.from({ length: e.length }, (_, i) => mapArguments(spec({ x: "xs" }, { y: [10, 20] }), e.lists, i));
    expect(all.map((a) => [a.x, a.y])).toEqual([
      [1, 10],
      [1, 20],
      [2, 10],
      [2, 20],
      [3, 10],
      [3, 20],
    ]);
    expect(all.every((a) => a.bucket === "raw")).toBe(true);
  });

  it("an empty list gives zero copies", () => {
    expect(expandMap("t", spec({ x: "xs" }), () => [])).toMatchObject({ ok: true, length: 0 });
  });

  it("maps an upstream object over its [key, value] pairs, as Airflow maps a dict", () => {
    const e = expandMap("load", spec({ file: "files" }), () => ({ a: 1, b: [2] }));
    expect(e).toEqual({
      ok: true,
      length: 2,
      lists: [
        [
          "file",
          [
            ["a", 1],
            ["b", [2]],
          ],
        ],
      ],
    });
    expect(expandMap("load", spec({ file: "files" }), () => ({}))).toMatchObject({ ok: true, length: 0 });
  });

  it("refuses an upstream value that is not a list or an object, naming input and upstream", () => {
    const e = expandMap("load", spec({ file: "list" }), () => "a.csv");
    expect(e).toEqual({
      ok: false,
      error: 'task "load" is mapped over input "file", but upstream "list" returned a string ("a.csv"), not a list or an object',
    });
    expect(expandMap("load", spec({ file: "list" }), () => undefined)).toMatchObject({ ok: false, error: expect.stringContaining("returned nothing") });
  });

  it("refuses more copies than maxLength", () => {
    const e = expandMap("t", spec({ x: "xs" }, { y: [1, 2] }, 5), () => [1, 2, 3]);
    expect(e).toEqual({ ok: false, error: 'task "t" would expand to 6 copies (x: 3 × y: 2), above its maxMapLength of 5' });
  });
});

describe("mappedTaskState", () => {
  it("is null while a copy is unfinished", () => {
    expect(mappedTaskState(["success", "running"])).toBeNull();
    expect(mappedTaskState(["up_for_retry"])).toBeNull();
  });
  it("failed wins, then success, else skipped", () => {
    expect(mappedTaskState(["success", "failed", "skipped"])).toBe("failed");
    expect(mappedTaskState(["success", "upstream_failed"])).toBe("failed");
    expect(mappedTaskState(["success", "skipped", "removed"])).toBe("success");
    expect(mappedTaskState(["skipped", "removed"])).toBe("skipped");
  });
});
