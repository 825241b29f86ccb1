import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

describe("BATON_RUN_RETENTION and BATON_RUN_RETENTION_INTERVAL", () => {
  const load = (env: Record<string, string>) => loadConfig({}, env);

  it("is off unless set; a duration turns it on; off and 0 turn it off", () => {
    expect(load({}).runRetentionMs).toBeNull();
    expect(load({ BATON_RUN_RETENTION: "off" }).runRetentionMs).toBeNull();
    expect(load({ BATON_RUN_RETENTION: "0" }).runRetentionMs).toBeNull();
    expect(load({ BATON_RUN_RETENTION: "90d" }).runRetentionMs).toBe(90 * 86_400_000);
    expect(load({ BATON_RUN_RETENTION: "2w" }).runRetentionMs).toBe(14 * 86_400_000);
  });

  it("runs every hour unless told otherwise; a bad value names the variable", () => {
    expect(load({}).runRetentionIntervalMs).toBe(3_600_000);
    expect(load({ BATON_RUN_RETENTION_INTERVAL: "15m" }).runRetentionIntervalMs).toBe(900_000);
    expect(() => load({ BATON_RUN_RETENTION: "ninety days" })).toThrow(/BATON_RUN_RETENTION/);
    expect(() => load({ BATON_RUN_RETENTION_INTERVAL: "often" })).toThrow(/BATON_RUN_RETENTION_INTERVAL/);
  });
});
