import { describe, expect, it } from "vitest";
import { SecretMasker } from "./mask-text.js";
import { maskJsonValue } from "./mask-value.js";

describe("maskJsonValue", () => {
  const masker = new SecretMasker();
  masker.add(["hunter22", "p@ss word"]);
  const mask = (s: string) => masker.mask(s);

  it("masks strings at any depth, also inside longer strings and percent-encoded", () => {
    const value = {
      url: "postgres://u:hunter22@h/db",
      uri: "postgres://u:p%40ss%20word@h/db",
      pw: "hunter22",
      list: ["hunter22", { deep: ["x-hunter22-y"] }],
      n: 42,
      ok: true,
      none: null,
    };
    expect(maskJsonValue(value, mask)).toEqual({
      url: "postgres://u:***@h/db",
      uri: "postgres://u:***@h/db",
      pw: "***",
      list: ["***", { deep: ["x-***-y"] }],
      n: 42,
      ok: true,
      none: null,
    });
    expect(value.pw).toBe("hunter22");
  });

  it("masks object keys and top-level strings; leaves other values alone", () => {
    expect(maskJsonValue({ hunter22: 1 }, mask)).toEqual({ "***": 1 });
    expect(maskJsonValue("hunter22", mask)).toBe("***");
    expect(maskJsonValue(12345678, mask)).toBe(12345678);
  });
});
