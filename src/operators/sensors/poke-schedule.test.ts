import { describe, expect, it } from "vitest";
import { formatMs, nextPokeDelay } from "./poke-schedule.js";

const HOUR = 3_600_000;
const plain = { pokeIntervalMs: 60_000, exponentialBackoff: false, maxWaitMs: null };
const backoff = { ...plain, exponentialBackoff: true };

describe("nextPokeDelay", () => {
  it("waits the poke interval, but never past the timeout", () => {
    expect(nextPokeDelay(plain, 1, HOUR, "k")).toBe(60_000);
    expect(nextPokeDelay(plain, 9, HOUR, "k")).toBe(60_000);
    expect(nextPokeDelay(plain, 1, 25_000, "k")).toBe(25_000);
    expect(nextPokeDelay(plain, 1, -5, "k")).toBe(0);
  });

  it("with backoff waits m + jitter, m = max(1, interval × 2^(n−2)), jitter in [0, m)", () => {
    for (let n = 1; n <= 8; n++) {
      const m = Math.max(1, Math.floor(60_000 * 2 ** (n - 2)));
      const delay = nextPokeDelay(backoff, n, 1000 * HOUR, "dag#task#2026-01-02T00:00:00.000Z");
      expect(delay).toBeGreaterThanOrEqual(m);
      expect(delay).toBeLessThan(2 * m);
    }
    expect(nextPokeDelay({ ...backoff, pokeIntervalMs: 1 }, 1, HOUR, "k")).toBe(1); // m = max(1, 0) = 1, jitter mod 1 = 0
  });

  it("jitter is a stable function of the key and the poke number", () => {
    const a = nextPokeDelay(backoff, 3, 1000 * HOUR, "d#t#x");
    expect(nextPokeDelay(backoff, 3, 1000 * HOUR, "d#t#x")).toBe(a);
    const others = ["d#t#y", "d#u#x", "e#t#x", "d#t#z"].map((k) => nextPokeDelay(backoff, 3, 1000 * HOUR, k));
    expect(new Set([a, ...others]).size).toBeGreaterThan(1);
  });

  it("caps backoff by maxWait and by the time left", () => {
    expect(nextPokeDelay({ ...backoff, maxWaitMs: 90_000 }, 6, 1000 * HOUR, "k")).toBe(90_000);
    expect(nextPokeDelay(backoff, 6, 10_000, "k")).toBe(10_000);
    expect(nextPokeDelay(backoff, 2000, HOUR, "k")).toBe(HOUR); // 2^1998 overflows to Infinity
  });
});

describe("formatMs", () => {
  it("reads well at every scale", () => {
    expect([formatMs(250), formatMs(1500), formatMs(200_000), formatMs(7_500_000)]).toEqual(["250ms", "1.5s", "3m 20s", "2h 5m"]);
  });
});
