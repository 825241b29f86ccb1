import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStores, type TestStores } from "../../../test/support/object-stores.js";
import { parseConnectionUri } from "../../core/secrets/connection-uri.js";
import { MissingValueError, runValuePrefix, valueKey, type ValueStore } from "../../core/ports/value-store.js";
import { openValueStore, parseValueStoreUrl } from "./object-value-store.js";

// BATON_VALUE_STORE on each object store, against real protocol servers: s3rver (S3), Azurite
// (Azure Blob), the GCS test emulator and a temp folder (file://).
let stores: TestStores;
beforeAll(async () => {
  stores = await startTestStores();
}, 60_000);
afterAll(async () => {
  await stores?.close();
});

async function open(scheme: "s3" | "az" | "gs" | "file", prefix: string): Promise<ValueStore> {
  const sut = stores[scheme];
  const url = scheme === "file" ? `file://${stores.root}/${prefix}` : `${scheme === "az" ? "azure" : scheme}://${sut.container}/${prefix}`;
  return openValueStore(url, sut.uri === undefined ? null : parseConnectionUri(scheme, sut.uri));
}

describe.each(["s3", "az", "gs", "file"] as const)("the value store on %s", (scheme) => {
  it("writes a value and reads it back by its reference; deletes one run's values by prefix", async () => {
    const values = await open(scheme, "values/team-a");
    const text = JSON.stringify({ rows: Array.from({ length: 500 }, (_, i) => ({ i, s: "é✓" })) });
    const key = valueKey("etl", "manual__2026-01-01T00:00:00+00:00", "extract", -1);
    expect(key).toBe("dag_id=etl/run_id=manual__2026-01-01T00%3A00%3A00%2B00%3A00/task_id=extract/value.json");
    const ref = await values.write(key, text);
    expect(ref).toMatchObject({ key, bytes: Buffer.byteLength(text) });
    expect(ref.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(await values.read(ref)).toBe(text);

    const copy = await values.write(valueKey("etl", "manual__2026-01-01T00:00:00+00:00", "each", 3), "[1]");
    const other = await values.write(valueKey("etl", "r2", "extract", -1), '"other run"');
    expect(await values.deletePrefix(runValuePrefix("etl", "manual__2026-01-01T00:00:00+00:00"))).toBe(2);
    await expect(values.read(ref)).rejects.toThrow(MissingValueError);
    await expect(values.read(copy)).rejects.toThrow(/does not exist/);
    expect(await values.read(other)).toBe('"other run"');
    await values.close();
  });

  it("a missing or replaced object is a MissingValueError naming its URL", async () => {
    const values = await open(scheme, "values/checks/");
    const ref = await values.write("dag_id=d/run_id=r/task_id=t/value.json", '"original"');
    await values.write(ref.key, '"replaced"');
    await expect(values.read(ref)).rejects.toThrow(
      new RegExp(`the value object ${values.url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}dag_id=d/run_id=r/task_id=t/value\\.json is not the one recorded`),
    );
    await values.delete(ref.key);
    await expect(values.read(ref)).rejects.toThrow(/does not exist; it was deleted or BATON_VALUE_STORE changed/);
    await values.close();
  });
});

describe("BATON_VALUE_STORE URLs", () => {
  it("accepts the object-storage schemes (azure:// for az://) as a prefix; refuses others naming the variable", () => {
    expect(parseValueStoreUrl("s3://bucket/prefix")).toEqual({ scheme: "s3", container: "bucket", key: "prefix/" });
    expect(parseValueStoreUrl("azure://container")).toEqual({ scheme: "az", container: "container", key: "" });
    expect(parseValueStoreUrl("file:///var/baton/values")).toEqual({ scheme: "file", container: "", key: "var/baton/values/" });
    expect(() => parseValueStoreUrl("ftp://host/x")).toThrow(/BATON_VALUE_STORE: unknown scheme "ftp"/);
  });
});
