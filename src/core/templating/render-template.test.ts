import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../errors.js";
import { renderTemplate } from "./render-template.js";

const vars = { ds: "2024-01-02", params: { region: "eu", sizes: [1, 2], nested: { on: true } }, try_number: 2, nothing: null };

describe("renderTemplate", () => {
  it("replaces names and dotted paths, whitespace tolerant", () => {
    expect(renderTemplate("s3://b/{{ds}}/{{  params.region }}/{{\tparams.nested.on\n}}", vars)).toBe("s3://b/2024-01-02/eu/true");
  });

  it("renders numbers as text and objects, arrays and null as JSON", () => {
    expect(renderTemplate("{{ try_number }} {{ params.sizes }} {{ params.nested }} {{ nothing }}", vars)).toBe('2 [1,2] {"on":true} null');
  });

  it("leaves text without placeholders unchanged, and renders several on a line", () => {
    expect(renderTemplate("echo hello", vars)).toBe("echo hello");
    expect(renderTemplate("{{ds}}{{ds}}", vars)).toBe("2024-01-022024-01-02");
  });

  it("an unknown name throws InvalidInputError naming it and listing the top-level names", () => {
    expect(() => renderTemplate("{{ dss }}", vars)).toThrow(InvalidInputError);
    expect(() => renderTemplate("{{ dss }}", vars)).toThrow('template variable "dss" is undefined: no "dss"; available: ds, nothing, params, try_number');
  });

  it("an unknown nested key names the path and the keys available there", () => {
    expect(() => renderTemplate("{{ params.zone }}", vars)).toThrow(
      'template variable "params.zone" is undefined: no "zone" in "params"; available: nested, region, sizes',
    );
    expect(() => renderTemplate("{{ ds.year }}", vars)).toThrow(/no "year" in "ds"; available: nothing \(it is 2024-01-02\)/);
  });

  it("does not resolve inherited properties (no prototype walking)", () => {
    expect(() => renderTemplate("{{ params.constructor }}", vars)).toThrow(InvalidInputError);
  });

  it("refuses expressions that are not dotted paths instead of guessing", () => {
    expect(() => renderTemplate("{{ ds | upper }}", vars)).toThrow(/not supported/);
  });
});
