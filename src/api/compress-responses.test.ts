import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { newRun, taskInstance } from "../store/contract/fixtures.js";
import { pickEncoding } from "./compress-responses.js";
import { apiHarness, type ApiHarness } from "./testing/api-harness.js";

// JSON answers are compressed for clients that accept it (issue 12: bytes of the UI's first load).

let h: ApiHarness;
beforeEach(async () => {
  h = await apiHarness();
  for (let i = 0; i < 30; i++)
    await h.store.createRun(newRun("etl", `r${i}`, { createdAt: 1_700_000_000_000 + i }), [taskInstance("extract"), taskInstance("load")]);
});
afterEach(async () => {
  await h.close();
});

const GRID = "/api/v1/dags/etl/grid?limit=25";

describe("response compression", () => {
  it("sends a large JSON answer Brotli- or gzip-compressed, as the client's Accept-Encoding asks, decoding to the same JSON", async () => {
    const plain = await h.app.inject({ url: GRID });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.headers.vary).toMatch(/Accept-Encoding/i);
    expect(plain.rawPayload.length).toBeGreaterThan(1024);

    const brotli = await h.app.inject({ url: GRID, headers: { "accept-encoding": "gzip, deflate, br" } });
    expect(brotli.headers["content-encoding"]).toBe("br");
    expect(brotli.rawPayload.length).toBeLessThan(plain.rawPayload.length / 4);
    expect(JSON.parse(brotliDecompressSync(brotli.rawPayload).toString())).toEqual(plain.json());

    const gzipped = await h.app.inject({ url: GRID, headers: { "accept-encoding": "gzip" } });
    expect(gzipped.headers["content-encoding"]).toBe("gzip");
    expect(JSON.parse(gunzipSync(gzipped.rawPayload).toString())).toEqual(plain.json());
  });

  it("leaves small answers, refused encodings and non-JSON answers as they are", async () => {
    const small = await h.app.inject({ url: "/api/v1/health", headers: { "accept-encoding": "br" } });
    expect(small.statusCode).toBe(200);
    expect(small.headers["content-encoding"]).toBeUndefined();
    const refused = await h.app.inject({ url: GRID, headers: { "accept-encoding": "br;q=0, identity" } });
    expect(refused.headers["content-encoding"]).toBeUndefined();
    expect(refused.json().runs).toHaveLength(25);
    expect(pickEncoding("gzip;q=0.5, br;q=1")).toBe("br");
    expect(pickEncoding("*")).toBe("gzip");
    expect(pickEncoding("")).toBeNull();
  });
});
