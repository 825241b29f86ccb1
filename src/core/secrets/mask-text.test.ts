import { describe, expect, it } from "vitest";
import { maskText, SecretMasker } from "./mask-text.js";
import { Secret } from "./secret.js";

describe("maskText", () => {
  it("replaces every occurrence, longest first", () => {
    expect(maskText("pw=hunter22 again hunter22; hunter2200", ["hunter22", "hunter2200"])).toBe("pw=*** again ***; ***");
  });
  it("ignores values shorter than 4 characters and escapes regex syntax", () => {
    expect(maskText("abc a.b*c+d", ["abc", "a.b*c+d"])).toBe("abc ***");
    expect(maskText("text", [])).toBe("text");
  });
});

describe("SecretMasker", () => {
  it("also masks the percent-encoded form", () => {
    const m = new SecretMasker();
    expect(m.empty).toBe(true);
    m.add(["p@ss word"]);
    expect(m.mask("uri=pg://u:p%40ss%20word@h raw=p@ss word")).toBe("uri=pg://u:***@h raw=***");
  });
});

describe("Secret", () => {
  it("never prints its value", () => {
    const s = new Secret("top-secret");
    expect(String(s)).toBe("***");
    expect(JSON.stringify({ s })).toBe('{"s":"***"}');
    expect((s as unknown as Record<symbol, () => string>)[Symbol.for("nodejs.util.inspect.custom")]!()).toBe("Secret(***)");
    expect(s.reveal()).toBe("top-secret");
  });
});
