import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { loadLineageConfig } from "../config/lineage-config.js";
import type { RunRecord } from "../core/model/records.js";
import type { AttemptStateChanged, RunStateChanged } from "../core/model/domain-events.js";
import { ManualClock } from "../core/testing/manual-clock.js";
import { LineageEmitter } from "./lineage-emitter.js";
import { httpTransport } from "./transports.js";

// The emitter's queue, retries and drops against a real HTTP server on 127.0.0.1, on a manual clock.
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

const run: RunRecord = {
  id: 1,
  dagId: "d",
  runId: "r",
  runType: "manual",
  state: "running",
  logicalDate: 0,
  dataIntervalStart: 0,
  dataIntervalEnd: 0,
  runAfter: 0,
  conf: {},
  dagVersion: "v",
  backfillId: null,
  startedAt: 0,
  endedAt: null,
  note: null,
  createdAt: 0,
};
/** The two reads the emitter makes, answered from memory (the scheduler test uses a real SQLite store). */
const store = { getRun: async () => run, getDagVersion: async () => undefined };
const started = (i: number): RunStateChanged => ({
  kind: "run_state_changed",
  dagId: "d",
  runId: "r",
  runPk: 1,
  before: "queued",
  after: "running",
  at: i,
  note: null,
});

async function endpoint(respond: (n: number) => number | "hang"): Promise<{ url: string; hits: () => number }> {
  let n = 0;
  server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      const status = respond(++n);
      if (status !== "hang") res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, hits: () => n };
}

const warnings: string[] = [];
const logger = { debug() {}, info() {}, error() {}, warn: (_o: object, msg?: string) => void warnings.push(msg ?? "") };
const settle = async (ms = 50) => new Promise((r) => setTimeout(r, ms));
/** Waits (real time, for the HTTP round trip) until `hits` reaches `n`. */
async function hitsReach(hits: () => number, n: number): Promise<void> {
  for (let i = 0; i < 200 && hits() < n; i++) await settle(10);
  expect(hits()).toBe(n);
}

describe("LineageEmitter", () => {
  it("the listener returns at once and the queue is bounded while the endpoint hangs; the overflow is dropped with one warning", async () => {
    const api = await endpoint(() => "hang");
    const clock = new ManualClock(0);
    const emitter = new LineageEmitter({
      store,
      secrets: null,
      clock,
      logger,
      identity: { namespace: "n", producer: "urn:baton:test" },
      maxQueue: 100,
      transport: httpTransport({ type: "http", url: api.url, endpoint: "api/v1/lineage", apiKey: null, timeoutMs: 60_000 }),
    });
    warnings.length = 0;
    const t0 = performance.now();
    for (let i = 0; i < 10_000; i++) emitter.listener(started(i));
    expect(performance.now() - t0).toBeLessThan(500);
    await hitsReach(api.hits, 1);
    await settle(100);
    expect(api.hits()).toBe(1); // one event in flight, one at a time
    expect(emitter.stats.dropped).toBeGreaterThanOrEqual(9_899);
    expect(warnings).toEqual(["OpenLineage events dropped"]);
    const closing = emitter.close(1_000);
    clock.advance(1_000); // close gives up waiting on the hung request
    await closing;
  });

  it("retries a failing endpoint with backoff on the clock, then drops the event and goes on with the next", async () => {
    const api = await endpoint((n) => (n <= 3 ? 503 : 201));
    const clock = new ManualClock(0);
    const emitter = new LineageEmitter({
      store,
      secrets: null,
      clock,
      logger,
      identity: { namespace: "n", producer: "urn:baton:test" },
      maxTries: 3,
      retryDelayMs: 1_000,
      transport: httpTransport({ type: "http", url: api.url, endpoint: "/api/v1/lineage", apiKey: null, timeoutMs: 5_000 }),
    });
    warnings.length = 0;
    emitter.listener(started(1));
    emitter.listener({
      kind: "attempt_state_changed",
      dagId: "d",
      runId: "r",
      runPk: 1,
      taskId: "t",
      mapIndex: -1,
      tryNumber: 1,
      before: null,
      after: "running",
      at: 2,
      error: null,
    } satisfies AttemptStateChanged);
    await hitsReach(api.hits, 1);
    await settle(100);
    clock.advance(999);
    await settle(100);
    expect(api.hits()).toBe(1);
    clock.advance(1);
    await hitsReach(api.hits, 2);
    await settle(100);
    clock.advance(2_000);
    await hitsReach(api.hits, 4); // third try failed → dropped; the next event was sent
    await emitter.idle();
    expect(emitter.stats).toEqual({ sent: 1, dropped: 1 });
    expect(warnings).toEqual(["OpenLineage events dropped"]);
  });
});

describe("loadLineageConfig (OpenLineage's variables)", () => {
  it("is off when nothing is set or OPENLINEAGE_DISABLED=true", () => {
    expect(loadLineageConfig({})).toBeNull();
    expect(loadLineageConfig({ OPENLINEAGE_URL: "http://m:5000", OPENLINEAGE_DISABLED: "true" })).toBeNull();
  });

  it("OPENLINEAGE_URL means HTTP to /api/v1/lineage with the API key (never shown), namespace default", () => {
    const c = loadLineageConfig({ OPENLINEAGE_URL: "http://m:5000", OPENLINEAGE_API_KEY: "k1" })!;
    expect(c.namespace).toBe("default");
    expect(c.transport).toMatchObject({ type: "http", url: "http://m:5000", endpoint: "api/v1/lineage", timeoutMs: 5_000 });
    expect(JSON.stringify(c)).not.toContain("k1");
    const t = loadLineageConfig({
      OPENLINEAGE__TRANSPORT__TYPE: "http",
      OPENLINEAGE__TRANSPORT__URL: "https://x",
      OPENLINEAGE__TRANSPORT__ENDPOINT: "v2/l",
      OPENLINEAGE__TRANSPORT__AUTH__API_KEY: "k2",
      OPENLINEAGE__TRANSPORT__TIMEOUT: "1.5",
      OPENLINEAGE_NAMESPACE: "prod",
    })!;
    expect(t).toMatchObject({ namespace: "prod", transport: { type: "http", url: "https://x", endpoint: "v2/l", timeoutMs: 1_500 } });
    expect(t.transport.type === "http" && t.transport.apiKey?.reveal()).toBe("k2");
  });

  it("file and console transports; wrong values name the variable", () => {
    expect(loadLineageConfig({ OPENLINEAGE__TRANSPORT__TYPE: "file", OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: "/tmp/ol.jsonl" })!.transport).toEqual({
      type: "file",
      path: "/tmp/ol.jsonl",
    });
    expect(loadLineageConfig({ OPENLINEAGE__TRANSPORT__LOG_FILE_PATH: "/tmp/ol.jsonl" })!.transport.type).toBe("file");
    expect(loadLineageConfig({ OPENLINEAGE__TRANSPORT__TYPE: "Console" })!.transport).toEqual({ type: "console" });
    expect(() => loadLineageConfig({ OPENLINEAGE__TRANSPORT__TYPE: "kafka" })).toThrow(
      /OPENLINEAGE__TRANSPORT__TYPE must be one of http, file, console, got "kafka"/,
    );
    expect(() => loadLineageConfig({ OPENLINEAGE__TRANSPORT__TYPE: "file" })).toThrow(/OPENLINEAGE__TRANSPORT__LOG_FILE_PATH/);
    expect(() => loadLineageConfig({ OPENLINEAGE_URL: "ftp://x" })).toThrow(/OPENLINEAGE_URL must be an http\(s\) URL/);
  });
});
