// Compile-time guarantees of the SDK: checked by `tsc --noEmit -p .` (npm run typecheck). Each
// `@ts-expect-error` line fails the type check if the mistake it shows were ever accepted.
import { describe, expectTypeOf, it } from "vitest";
import { branch, chain, dag, shortCircuit, task, z, type TaskContext, type TaskRef } from "./index.js";

describe("SDK typing", () => {
  it("types inputs from upstream return values and params from the zod schema", () => {
    dag({ id: "typed", params: z.object({ region: z.enum(["eu", "us"]).default("eu"), limit: z.number().default(10) }) }, (d) => {
      const extract = d.task("extract", async (ctx) => ({ rows: 3, ds: ctx.ds }));
      expectTypeOf(extract).toEqualTypeOf<TaskRef<{ rows: number; ds: string | null }>>();

      const double = d.task("double", { inputs: { e: extract }, retries: 3 }, async (ctx, { e }) => {
        expectTypeOf(e).toEqualTypeOf<{ rows: number; ds: string | null }>();
        expectTypeOf(ctx.params.region).toEqualTypeOf<"eu" | "us">();
        // @ts-expect-error rows is a number, not a string
        e.rows.toUpperCase();
        // @ts-expect-error no such field on extract's value
        void e.missing;
        // @ts-expect-error no such param
        void ctx.params.country;
        return e.rows * 2;
      });
      expectTypeOf(double).toEqualTypeOf<TaskRef<number>>();

      const pick = d.branch("pick", { inputs: { n: double } }, (_ctx, { n }) => (n > 5 ? "big" : "small"));
      const gate = d.shortCircuit("gate", (ctx) => ctx.params.region === "eu");
      expectTypeOf(gate).toEqualTypeOf<TaskRef<boolean>>();

      // @ts-expect-error a branch returns task ids, not numbers
      d.branch("bad_branch", () => 42);
      // @ts-expect-error a short-circuit returns a boolean
      d.shortCircuit("bad_gate", () => "yes");
      // @ts-expect-error the input name is not declared
      d.task("bad_input", { inputs: { e: extract } }, (_ctx, { x }) => x);
      // @ts-expect-error inputs must be task refs
      d.task("bad_ref", { inputs: { e: 42 } }, () => 1);
      // @ts-expect-error unknown option
      d.task("typo", { retry: 3 }, () => 1);
      // @ts-expect-error trigger rule not in the closed set
      d.task("rule", { triggerRule: "all_sucess" }, () => 1);
      // @ts-expect-error shell needs a command
      d.shell("no_cmd", {});

      const archive = d.shell("archive", { command: (ctx) => `echo ${ctx.params.region}` });
      const fanned = double.then([archive, pick]);
      expectTypeOf(fanned).toEqualTypeOf<readonly [TaskRef<string | null>, typeof pick]>();
      expectTypeOf(double.then(archive)).toEqualTypeOf<TaskRef<string | null>>();
      d.task("after_shell", { inputs: { line: archive } }, (_ctx, { line }) => {
        expectTypeOf(line).toEqualTypeOf<string | null>();
      });
      chain(extract, [double, gate], archive);
    });
  });

  it("types one key of a return value (Airflow's multiple_outputs) from the upstream's type", () => {
    dag({ id: "keys" }, (d) => {
      const extract = d.task("extract", async () => ({ rows: 3, meta: { path: "s3://b/k" } }));
      expectTypeOf(extract.key("rows")).toEqualTypeOf<TaskRef<number>>();
      expectTypeOf(extract.key("meta").key("path")).toEqualTypeOf<TaskRef<string>>();
      d.task("count", { inputs: { rows: extract.key("rows"), path: extract.key("meta").key("path") } }, (_ctx, { rows, path }) => {
        expectTypeOf(rows).toEqualTypeOf<number>();
        expectTypeOf(path).toEqualTypeOf<string>();
      });
      // @ts-expect-error no such key in extract's value
      extract.key("row");
      const maybe = d.task("maybe", async () => (Math.random() > 0.5 ? { n: 1 } : null));
      expectTypeOf(maybe.key("n")).toEqualTypeOf<TaskRef<number | undefined>>();
      const list = d.task("list", async () => [1, 2]);
      // @ts-expect-error a list has no keys to pick
      list.key("length");
    });
  });

  it("gives the free functions untyped params", () => {
    dag({ id: "free" }, () => {
      const a = task("a", (ctx) => {
        expectTypeOf(ctx).toEqualTypeOf<TaskContext<Record<string, unknown>>>();
        return "text";
      });
      task("b", { inputs: { a } }, (_ctx, { a: value }) => {
        expectTypeOf(value).toEqualTypeOf<string>();
        // @ts-expect-error a string has no toFixed
        value.toFixed();
      });
      branch("c", () => null);
      shortCircuit("s", () => true);
    });
  });
});
