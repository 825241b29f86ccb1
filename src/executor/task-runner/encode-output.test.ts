import { describe, expect, it } from "vitest";
import { encodeOutput, formatBytes } from "./encode-output.js";

const errorOf = (r: ReturnType<typeof encodeOutput>) => (r.ok ? null : r.outcome.kind === "failed" ? r.outcome.error : null);
/** A JSON string value of exactly `bytes` bytes once encoded (the quotes count). */
const valueOfBytes = (bytes: number) => "x".repeat(bytes - 2);

describe("encodeOutput: the size limit's message", () => {
  it("names sizes in KiB/MiB when they differ once rounded", () => {
    expect(errorOf(encodeOutput("big", valueOfBytes(2 * 1024 * 1024), 1024 * 1024))).toContain(
      'return value of task "big" is 2 MiB, over the 1 MiB limit (BATON_MAX_OUTPUT_BYTES)',
    );
  });

  it("regression issue-8-11: a value just over the limit is given in exact bytes, not '2 KiB, over the 2 KiB limit'", () => {
    const error = errorOf(encodeOutput("t", valueOfBytes(2049), 2048));
    expect(error).toContain('return value of task "t" is 2,049 bytes, over the 2,048-byte limit (BATON_MAX_OUTPUT_BYTES)');
    expect(errorOf(encodeOutput("t", valueOfBytes(1_048_600), 1_048_576))).toContain("is 1,048,600 bytes, over the 1,048,576-byte limit");
  });

  it("a value at the limit is stored", () => {
    expect(encodeOutput("t", valueOfBytes(2048), 2048)).toEqual({ ok: true, output: JSON.stringify(valueOfBytes(2048)) });
  });
});

describe("formatBytes", () => {
  it("rounds to one decimal in the largest unit", () => {
    expect([formatBytes(512), formatBytes(3277), formatBytes(1024 * 1024)]).toEqual(["512 B", "3.2 KiB", "1 MiB"]);
  });
});
