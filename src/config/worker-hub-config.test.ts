import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../core/errors.js";
import { loadWorkerHubConfig } from "./worker-hub-config.js";

describe("loadWorkerHubConfig", () => {
  it("defaults to 10 s before a worker is lost and a heartbeat every 2 s", () => {
    expect(loadWorkerHubConfig({})).toEqual({ lostAfterMs: 10_000, heartbeatMs: 2_000 });
  });

  it("reads BATON_WORKER_LOST_MS and BATON_WORKER_HEARTBEAT_MS", () => {
    expect(loadWorkerHubConfig({ BATON_WORKER_LOST_MS: "30000", BATON_WORKER_HEARTBEAT_MS: " 5000 " })).toEqual({ lostAfterMs: 30_000, heartbeatMs: 5_000 });
  });

  it("refuses values that are not positive whole numbers, naming the variable", () => {
    expect(() => loadWorkerHubConfig({ BATON_WORKER_LOST_MS: "10s" })).toThrow(
      /BATON_WORKER_LOST_MS must be a positive whole number of milliseconds, got "10s"/,
    );
    expect(() => loadWorkerHubConfig({ BATON_WORKER_HEARTBEAT_MS: "0" })).toThrow(InvalidInputError);
  });

  it("refuses a lost timeout shorter than two heartbeats", () => {
    expect(() => loadWorkerHubConfig({ BATON_WORKER_LOST_MS: "3000" })).toThrow(/at least twice BATON_WORKER_HEARTBEAT_MS \(2000\)/);
  });
});
