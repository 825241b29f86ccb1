import { describe, expect, it } from "vitest";
import { Backoff } from "./backoff.js";

describe("Backoff", () => {
  it("250 ms doubling to 10 s, each delay drawn from the upper half of its step; reset starts over", () => {
    const top = new Backoff(250, 10_000, () => 1);
    expect(Array.from({ length: 8 }, () => top.next().delayMs)).toEqual([250, 500, 1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
    const bottom = new Backoff(250, 10_000, () => 0);
    expect(Array.from({ length: 3 }, () => bottom.next())).toEqual([
      { delayMs: 125, step: 1 },
      { delayMs: 250, step: 2 },
      { delayMs: 500, step: 3 },
    ]);
    bottom.reset();
    expect(bottom.next()).toEqual({ delayMs: 125, step: 1 });
  });
});
