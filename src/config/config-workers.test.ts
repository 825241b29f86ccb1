import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

describe("local pool and remote window (docs/workers.md)", () => {
  it("BATON_WORKERS and --workers (which wins) may be 0: no local pool, every attempt goes to remote workers", () => {
    expect(loadConfig({}, { BATON_WORKERS: "0" }).workers).toBe(0);
    expect(loadConfig({ workers: "0" }, { BATON_WORKERS: "4" }).workers).toBe(0);
    expect(loadConfig({}, { BATON_WORKERS: "3" }).workers).toBe(3);
    expect(loadConfig({}, {}).workers).toBeGreaterThan(0);
    expect(() => loadConfig({}, { BATON_WORKERS: "-1" })).toThrow('BATON_WORKERS must be a non-negative integer, got "-1"');
  });

  it("BATON_REMOTE_WINDOW: attempts in flight per remote queue, 1,000 by default, at least 1", () => {
    expect(loadConfig({}, {}).remoteWindow).toBe(1_000);
    expect(loadConfig({}, { BATON_REMOTE_WINDOW: "50" }).remoteWindow).toBe(50);
    expect(() => loadConfig({}, { BATON_REMOTE_WINDOW: "0" })).toThrow('BATON_REMOTE_WINDOW must be a whole number of at least 1, got "0"');
    expect(() => loadConfig({}, { BATON_REMOTE_WINDOW: "lots" })).toThrow('BATON_REMOTE_WINDOW must be a non-negative integer, got "lots"');
  });
});
