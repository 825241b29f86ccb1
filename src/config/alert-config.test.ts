import { describe, expect, it } from "vitest";
import { loadAlertConfig } from "./alert-config.js";

const api = { apiHost: "127.0.0.1", apiPort: 8080 };

describe("BATON_CALLBACK_SWEEP_HOURS", () => {
  it("defaults to 24 hours, takes hours, and 0 turns the sweep off", () => {
    expect(loadAlertConfig(api, {}).callbackSweepMs).toBe(24 * 3_600_000);
    expect(loadAlertConfig(api, { BATON_CALLBACK_SWEEP_HOURS: "6" }).callbackSweepMs).toBe(6 * 3_600_000);
    expect(loadAlertConfig(api, { BATON_CALLBACK_SWEEP_HOURS: "0" }).callbackSweepMs).toBe(0);
  });

  it("refuses what is not a number of hours", () => {
    expect(() => loadAlertConfig(api, { BATON_CALLBACK_SWEEP_HOURS: "a day" })).toThrow(/BATON_CALLBACK_SWEEP_HOURS must be a number of hours/);
    expect(() => loadAlertConfig(api, { BATON_CALLBACK_SWEEP_HOURS: "-1" })).toThrow(/BATON_CALLBACK_SWEEP_HOURS/);
  });
});
