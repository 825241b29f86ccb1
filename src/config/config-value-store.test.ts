import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";

describe("BATON_VALUE_STORE, BATON_VALUE_STORE_CONN and BATON_VALUE_STORE_THRESHOLD", () => {
  const load = (env: Record<string, string>) => loadConfig({ home: "/srv/baton" }, env);

  it("defaults to a folder in BATON_HOME and 64 KiB; takes a URL and a connection", () => {
    expect(load({})).toMatchObject({ valueStoreUrl: "file:///srv/baton/values/", valueStoreConn: null, valueStoreThresholdBytes: 65536 });
    expect(load({ BATON_VALUE_STORE: "s3://lake/baton-values", BATON_VALUE_STORE_CONN: "lake_s3" })).toMatchObject({
      valueStoreUrl: "s3://lake/baton-values",
      valueStoreConn: "lake_s3",
    });
    expect(() => load({ BATON_VALUE_STORE: "/just/a/path" })).toThrow(/BATON_VALUE_STORE must be a URL/);
  });

  it("reads the threshold in bytes or with a unit; 0 offloads every value, off none", () => {
    expect(load({ BATON_VALUE_STORE_THRESHOLD: "1000" }).valueStoreThresholdBytes).toBe(1000);
    expect(load({ BATON_VALUE_STORE_THRESHOLD: "64KiB" }).valueStoreThresholdBytes).toBe(65536);
    expect(load({ BATON_VALUE_STORE_THRESHOLD: "1 MiB" }).valueStoreThresholdBytes).toBe(1048576);
    expect(load({ BATON_VALUE_STORE_THRESHOLD: "0" }).valueStoreThresholdBytes).toBe(0);
    expect(load({ BATON_VALUE_STORE_THRESHOLD: "off" }).valueStoreThresholdBytes).toBeNull();
    expect(() => load({ BATON_VALUE_STORE_THRESHOLD: "big" })).toThrow(/BATON_VALUE_STORE_THRESHOLD must be a size in bytes/);
  });
});
