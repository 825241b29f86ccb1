import { describe, expect, it } from "vitest";
import { fnv1a32 } from "./fnv1a.js";
import { retryDelayMs } from "./retry-delay.js";

const backoff = (retryDelay: number, max: number | null = null) => ({ retryDelayMs: retryDelay, retryExponentialBackoff: true, maxRetryDelayMs: max });

describe("fnv1a32", () => {
  it("matches the published FNV-1a 32-bit test vectors", () => {
    expect(fnv1a32("")).toBe(0x811c9dc5);
    expect(fnv1a32("a")).toBe(0xe40c292c);
    expect(fnv1a32("foobar")).toBe(0xbf9cf968);
  });

  it("hashes UTF-8 bytes (é is two bytes)", () => {
    const bytewise = (bytes: number[]) => bytes.reduce((h, b) => Math.imul(h ^ b, 0x01000193) >>> 0, 0x811c9dc5);
    expect(fnv1a32("é")).toBe(bytewise([0xc3, 0xa9]));
  });
});

describe("retryDelayMs", () => {
  it("without backoff is the fixed retry delay, uncapped by maxRetryDelayMs (as Airflow)", () => {
    const task = { retryDelayMs: 300_000, retryExponentialBackoff: false, maxRetryDelayMs: 1000 };
    expect([1, 2, 7].map((n) => retryDelayMs(task, n, "k"))).toEqual([300_000, 300_000, 300_000]);
  });

  it("with backoff, try n waits a whole number of seconds in [base, 2·base − 1 s] with base = delay × 2^(n−1)", () => {
    for (let n = 1; n <= 6; n++) {
      const base = 60_000 * 2 ** (n - 1);
      for (const key of ["etl#load#2024-01-01", "etl#load#2024-01-02", "x", ""]) {
        const d = retryDelayMs(backoff(60_000), n, key);
        expect(d).toBeGreaterThanOrEqual(base);
        expect(d).toBeLessThanOrEqual(2 * base - 1000);
        expect(d % 1000).toBe(0);
      }
    }
  });

  it("is deterministic per key and try, and the jitter varies between keys", () => {
    expect(retryDelayMs(backoff(60_000), 3, "a#b#c")).toBe(retryDelayMs(backoff(60_000), 3, "a#b#c"));
    // 50 keys over the 600 whole seconds of [600 s, 1199 s]: nearly all differ.
    const spread = new Set(Array.from({ length: 50 }, (_, i) => retryDelayMs(backoff(600_000), 1, `key${i}`)));
    expect(spread.size).toBeGreaterThan(40);
  });

  it("jitter is exactly fnv1a32(key#try) mod base, in seconds (Airflow's formula)", () => {
    expect(retryDelayMs(backoff(10_000), 2, "dag#task#ld")).toBe((20 + (fnv1a32("dag#task#ld#2") % 20)) * 1000);
  });

  it("a base under one second becomes one second, and then there is no jitter (x mod 1 = 0)", () => {
    expect(["k", "a", "b", "c"].map((key) => retryDelayMs(backoff(0), 1, key))).toEqual([1000, 1000, 1000, 1000]);
    expect(retryDelayMs(backoff(300), 2, "k")).toBe(1000); // ceil(0.6 s) = 1 s
  });

  it("rounds a base of part of a second up to whole seconds: 1.5 s waits 2 or 3 s", () => {
    const delays = new Set(Array.from({ length: 40 }, (_, i) => retryDelayMs(backoff(1500), 1, `key${i}`)));
    expect([...delays].sort()).toEqual([2000, 3000]);
  });

  it("is capped by maxRetryDelayMs and by 24 h, even for huge try numbers", () => {
    expect(retryDelayMs(backoff(60_000, 100_000), 5, "k")).toBe(100_000);
    const try11 = retryDelayMs(backoff(60_000), 11, "k");
    expect(try11).toBeGreaterThanOrEqual(61_440_000);
    expect(try11).toBeLessThanOrEqual(86_400_000);
    expect(retryDelayMs(backoff(60_000), 12, "k")).toBe(86_400_000);
    expect(retryDelayMs(backoff(60_000), 20, "k")).toBe(86_400_000);
    expect(retryDelayMs(backoff(60_000), 5000, "k")).toBe(86_400_000);
    expect(retryDelayMs(backoff(60_000, 90_000), 1, "k")).toBeLessThanOrEqual(90_000);
  });
});
