import { createHash } from "node:crypto";
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

  it("with backoff waits m + jitter whole seconds, m = max(1 s, int(interval_s × 2^(n−2))), jitter in [0, m)", () => {
    for (let n = 1; n <= 8; n++) {
      const m = Math.max(1000, Math.floor(60 * 2 ** (n - 2)) * 1000);
      const delay = nextPokeDelay(backoff, n, 1000 * HOUR, "dag#task#2026-01-02T00:00:00.000Z");
      expect(delay).toBeGreaterThanOrEqual(m);
      expect(delay).toBeLessThan(2 * m);
      expect(delay % 1000).toBe(0);
    }
    // As Airflow: never under a second, and a 1 s m has no jitter (x mod 1 = 0).
    expect(nextPokeDelay({ ...backoff, pokeIntervalMs: 1 }, 1, HOUR, "k")).toBe(1000);
    expect([1, 2].map((n) => nextPokeDelay({ ...backoff, pokeIntervalMs: 1000 }, n, HOUR, "k"))).toEqual([1000, 1000]); // int(0.5) → 1, int(1) = 1
    expect(nextPokeDelay({ ...backoff, pokeIntervalMs: 3000 }, 1, HOUR, "k")).toBe(1000); // int(1.5) = 1
    // The jitter is sha1("<key>#<n>") mod m, in seconds.
    const sha = BigInt(`0x${createHash("sha1").update("d#t#x#4").digest("hex")}`);
    expect(nextPokeDelay(backoff, 4, 1000 * HOUR, "d#t#x")).toBe((240 + Number(sha % 240n)) * 1000);
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
