import { describe, expect, it } from "vitest";
import { z } from "zod";
import { resolveParams } from "../core/params/resolve-params.js";
import { InvalidInputError } from "../core/errors.js";
import { resolveDagOptions } from "./dag-options.js";

const messageOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    if (e instanceof InvalidInputError) return e.message;
    throw e;
  }
  throw new Error("expected InvalidInputError");
};

// Issue 12: the author's zod messages were replaced by ajv's `must match pattern "…"`.
describe("params: the DAG author's zod messages", () => {
  const spec = resolveDagOptions({
    id: "with-messages",
    params: z.object({
      region: z
        .string()
        .regex(/^[a-z]{2}$/, "must be a two-letter region code")
        .default("eu"),
      batch: z.number().int().min(1, { message: "give at least one row" }).default(10),
      label: z.string().max(5, "keep it short").default(""),
      plain: z.string().regex(/^x+$/).default("x"),
      count: z.number().int().default(1),
    }),
  });

  it("travel in the params JSON Schema under x-baton-messages, keyed by keyword; none when the author gave none", () => {
    const props = spec.paramsSchema.properties as Record<string, Record<string, unknown>>;
    expect(props.region!["x-baton-messages"]).toEqual({ pattern: "must be a two-letter region code" });
    expect(props.batch!["x-baton-messages"]).toEqual({ minimum: "give at least one row", exclusiveMinimum: "give at least one row" });
    expect(props.plain!["x-baton-messages"]).toBeUndefined();
    expect(props.count!["x-baton-messages"]).toBeUndefined();
  });

  it("are the reasons a trigger's conf is refused; ajv's text stays where the author gave none", () => {
    const m = messageOf(() =>
      resolveParams(spec.paramsSchema, spec.paramsDefaults, { region: "Europe", batch: 0, label: "much too long", plain: "y", count: 1.5 }),
    );
    expect(m).toContain("conf.region: must be a two-letter region code");
    expect(m).toContain("conf.batch: give at least one row");
    expect(m).toContain("conf.label: keep it short");
    expect(m).toContain('conf.plain: must match pattern "^x+$"');
    expect(m).toContain("conf.count: must be integer");
    expect(m).not.toContain('must match pattern "^[a-z]{2}$"');
  });
});
