import { describe, expect, it } from "vitest";
import { z } from "zod";
import { InvalidInputError } from "../errors.js";
import { resolveParams } from "./resolve-params.js";

const schema = z.toJSONSchema(
  z.object({
    region: z.enum(["eu", "us"]),
    batch: z.number().int().min(3).default(10),
    day: z.iso.date().optional(),
    options: z.object({ dryRun: z.boolean() }).optional(),
  }),
) as Record<string, unknown>;

const errorOf = (fn: () => unknown): InvalidInputError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof InvalidInputError) return e;
    throw e;
  }
  throw new Error("expected InvalidInputError");
};

describe("resolveParams", () => {
  it("merges conf over defaults and validates (zod v4 JSON Schema, draft 2020-12)", () => {
    expect(resolveParams(schema, { region: "eu", batch: 5 }, { region: "us" })).toEqual({ region: "us", batch: 5 });
  });

  it("fills schema defaults for missing fields", () => {
    expect(resolveParams(schema, {}, { region: "eu" })).toEqual({ region: "eu", batch: 10 });
  });

  it("names the failing conf field and the allowed values", () => {
    expect(errorOf(() => resolveParams(schema, { region: "eu" }, { region: "asia" })).message).toBe("params are invalid: conf.region: must be one of eu, us");
  });

  it("lists every failing field: missing, wrong type, out of range, undeclared, nested, pattern", () => {
    const m = errorOf(() => resolveParams(schema, {}, { batch: 1, extra: true, options: { dryRun: "yes" }, day: "2024-13-01" })).message;
    expect(m).toContain("conf.region: is required");
    expect(m).toContain("conf.batch: must be >= 3");
    expect(m).toContain("conf.extra: is not a declared param");
    expect(m).toContain("conf.options.dryRun: must be boolean");
    expect(m).toContain("conf.day: must match pattern");
  });

  it("blames params.x when a default is invalid and conf did not override it", () => {
    expect(errorOf(() => resolveParams(schema, { region: "eu", batch: 1 }, {})).message).toBe("params are invalid: params.batch: must be >= 3");
  });

  it("an empty schema accepts anything", () => {
    expect(resolveParams({}, { a: 1 }, { b: [1, 2] })).toEqual({ a: 1, b: [1, 2] });
  });

  it("does not mutate the inputs and reuses the compiled validator", () => {
    const defaults = { region: "eu" };
    const conf = {};
    const first = resolveParams(schema, defaults, conf);
    expect(defaults).toEqual({ region: "eu" });
    expect(conf).toEqual({});
    expect(resolveParams(JSON.parse(JSON.stringify(schema)) as Record<string, unknown>, defaults, conf)).toEqual(first);
  });

  it("an invalid schema is reported as such", () => {
    expect(errorOf(() => resolveParams({ type: "nonsense" }, {}, {})).message).toMatch(/params schema is not valid JSON Schema/);
  });
});
