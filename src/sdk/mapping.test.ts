import { describe, expect, expectTypeOf, it } from "vitest";
import { DagDefinitionError } from "../core/errors.js";
import { dag, type TaskRef } from "./index.js";

describe("mapped tasks (dynamic task mapping)", () => {
  it("types each copy's arguments from the mapped lists, inputs and partial; downstream gets a list", () => {
    dag({ id: "typed_map" }, (d) => {
      const files = d.task("files", () => ["a.csv", "b.csv"]);
      const cfg = d.task("cfg", () => ({ table: "sales" }));
      const rows = d.task("load", { map: { file: files, n: [1, 2] }, inputs: { cfg }, partial: { dryRun: false } }, (ctx, { file, n, cfg, dryRun }) => {
        expectTypeOf(file).toEqualTypeOf<string>();
        expectTypeOf(n).toEqualTypeOf<number>();
        expectTypeOf(cfg).toEqualTypeOf<{ table: string }>();
        expectTypeOf(dryRun).toEqualTypeOf<boolean>();
        expectTypeOf(ctx.mapIndex).toEqualTypeOf<number>();
        return file.length + n;
      });
      expectTypeOf(rows).toEqualTypeOf<TaskRef<number[]>>();
      d.task("total", { inputs: { rows } }, (_ctx, { rows }) => rows.reduce((a, b) => a + b, 0));
      // @ts-expect-error the element of a string list is a string
      d.task("wrong", { map: { file: files } }, (_ctx, { file }) => file.toFixed());
      // An object maps over its [key, value] pairs, as Airflow maps a dict.
      d.task("pairs", { map: { c: cfg } }, (_ctx, { c }) => {
        expectTypeOf(c).toEqualTypeOf<[string, string]>();
        return c[0];
      });
      const count = d.task("count", () => 3);
      // @ts-expect-error a mapped upstream must return a list or an object
      d.task("not_list", { map: { c: count } }, () => 1);
    });
  });

  it("serializes the map: upstream lists, literal lists, partial, limits; the mapped upstream is an upstream", () => {
    const def = dag({ id: "m" }, (d) => {
      const xs = d.task("xs", () => [1, 2]);
      d.task("each", { map: { x: xs, y: ["a"] }, partial: { k: 1 }, maxMapLength: 10, maxActiveCopies: 2 }, (_c, { x, y, k }) => `${x}${y}${k}`);
      d.task("plain", () => 1);
    });
    const spec = def.toSpec();
    const each = spec.tasks.find((t) => t.taskId === "each")!;
    expect(each.map).toEqual({ over: { x: "xs" }, values: { y: ["a"] }, partial: { k: 1 }, maxLength: 10, maxActive: 2 });
    expect(each.upstream).toEqual(["xs"]);
    expect(spec.tasks.find((t) => t.taskId === "plain")!.map).toBeUndefined();
    expect(spec.tasks.find((t) => t.taskId === "each")!.inputs).toEqual({});
  });

  it("refuses bad map options with errors naming the option", () => {
    const bad = (opts: Record<string, unknown>) => () =>
      dag({ id: "m" }, (d) => {
        const xs = d.task("xs", () => [1]);
        d.task("each", opts as never, () => 1);
        void xs;
      }).toSpec();
    expect(bad({ map: {} })).toThrow(/map must name at least one list/);
    expect(bad({ map: { x: 42 } })).toThrow(/map argument "x" must be an upstream task returning a list, or a list/);
    expect(bad({ map: { x: [1] }, maxMapLength: 0 })).toThrow(/maxMapLength/);
    expect(bad({ map: { x: [1] }, maxActiveCopies: 1.5 })).toThrow(/maxActiveCopies/);
    expect(bad({ maxActiveCopies: 2 })).toThrow(/maxActiveCopies applies only to a mapped task/);
    expect(bad({ map: { x: [() => 1] } })).toThrow(/JSON values only/);
    expect(bad({ map: { x: [1] }, partial: { x: 2 } })).toThrow(/"x" is also named in partial/);
  });

  it("refuses triggerRule always on a task mapped over an upstream's value (as Airflow), not over a literal list", () => {
    const mapped = (over: "upstream" | "literal") => () =>
      dag({ id: "m" }, (d) => {
        const xs = d.task("xs", () => [1, 2]);
        d.task("each", { map: { x: over === "upstream" ? xs : [1, 2] }, triggerRule: "always" }, (_c, { x }) => x);
      }).toSpec();
    expect(mapped("upstream")).toThrow(DagDefinitionError);
    expect(mapped("upstream")).toThrow(/triggerRule "always" is not allowed on a task mapped over an upstream task's value \(x\)/);
    expect(mapped("literal")).not.toThrow();
  });

  it("only task() can be mapped", () => {
    expect(() =>
      dag({ id: "m" }, (d) => {
        d.branch("b", { map: { x: [1] } } as never, () => null);
      }).toSpec(),
    ).toThrow(DagDefinitionError);
  });
});
