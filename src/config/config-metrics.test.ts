import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

describe("metrics configuration (docs/metrics.md)", () => {
  it("no separate metrics port by default; it listens where the API does unless BATON_METRICS_HOST says otherwise", () => {
    expect(loadConfig({}, {})).toMatchObject({ metricsPort: null, metricsHost: "127.0.0.1" });
    expect(loadConfig({}, { BATON_API_HOST: "10.0.0.5" })).toMatchObject({ metricsPort: null, metricsHost: "10.0.0.5" });
    expect(loadConfig({ host: "0.0.0.0" }, {}).metricsHost).toBe("0.0.0.0");
    expect(loadConfig({}, { BATON_API_HOST: "10.0.0.5", BATON_METRICS_HOST: "10.0.0.6" }).metricsHost).toBe("10.0.0.6");
  });

  it("BATON_METRICS_PORT and --metrics-port (which wins) pick the port; 0 is any free port", () => {
    expect(loadConfig({}, { BATON_METRICS_PORT: "9464" }).metricsPort).toBe(9464);
    expect(loadConfig({}, { BATON_METRICS_PORT: "0" }).metricsPort).toBe(0);
    expect(loadConfig({ metricsPort: "9500" }, { BATON_METRICS_PORT: "9464" }).metricsPort).toBe(9500);
  });

  it("refuses what is not a port, naming the variable", () => {
    for (const bad of ["abc", "-1", "65536", "1.5"]) {
      expect(() => loadConfig({}, { BATON_METRICS_PORT: bad })).toThrow(
        `BATON_METRICS_PORT must be a port number (0-65535; 0 picks a free port), got "${bad}"`,
      );
    }
  });
});
