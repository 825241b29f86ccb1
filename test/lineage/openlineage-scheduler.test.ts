import { createServer, type IncomingMessage, type Server } from "node:http";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { systemClock } from "../../src/core/ports/clock.js";
import { silentLogger } from "../../src/core/ports/logger.js";
import { Secret } from "../../src/core/secrets/secret.js";
import { InProcessExecutor } from "../../src/executor/in-process-executor.js";
import { LineageEmitter } from "../../src/lineage/lineage-emitter.js";
import type { RunEvent } from "../../src/lineage/openlineage-types.js";
import { attemptLineageId, dagRunLineageId } from "../../src/lineage/run-ids.js";
import { loadEventValidator, schemasMissing } from "../../src/lineage/testing/openlineage-schemas.js";
import { fileTransport, httpTransport } from "../../src/lineage/transports.js";
import { HEADER, Harness } from "../support/harness.js";

/**
 * OpenLineage end to end in one process: the real scheduler on a real SQLite file runs a DAG
 * (declared datasets, a SQL operator on a SQLite database, a task that throws); the emitter,
 * subscribed to its domain events, sends every event over HTTP to a server on 127.0.0.1 that
 * checks the API key, and appends it to a file. Every event is validated against the official
 * schemas (skipped, saying why, when they are absent).
 */
let h: Harness | undefined;
let server: Server | undefined;
let dir: string | undefined;
afterEach(async () => {
  await h?.dispose();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  if (dir) rmSync(dir, { recursive: true, force: true });
  h = server = dir = undefined;
});

const API_KEY = "lineage-key-123";

/** A Marquez stand-in: POST /api/v1/lineage with the Bearer key → 201; anything else is refused and counted. */
async function marquez(): Promise<{ url: string; events: RunEvent[]; refused: string[] }> {
  const events: RunEvent[] = [];
  const refused: string[] = [];
  server = createServer((req: IncomingMessage, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/api/v1/lineage" || req.headers["content-type"] !== "application/json") {
        refused.push(`${req.method} ${req.url}`);
        res.writeHead(404).end();
      } else if (req.headers.authorization !== `Bearer ${API_KEY}`) {
        refused.push(`key ${req.headers.authorization ?? "none"}`);
        res.writeHead(401).end();
      } else {
        events.push(JSON.parse(body) as RunEvent);
        res.writeHead(201).end();
      }
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  return { url: `http://127.0.0.1:${port}`, events, refused };
}

const missing = schemasMissing();
if (missing) console.warn(`OpenLineage events are not schema-checked here: ${missing}`);

describe("OpenLineage from a real scheduler run", () => {
  it("START/COMPLETE per attempt and run, FAIL with the error and stack, parents, datasets and SQL; over HTTP with the key and to a file", async () => {
    dir = mkdtempSync(join(tmpdir(), "baton-lineage-"));
    const db = join(dir, "warehouse.db");
    h = new Harness({
      "sales.ts": `${HEADER}import { sqlQuery } from "baton/operators";
export default dag({ id: "sales" }, (d) => {
  const extract = d.task("extract", { inlets: ["s3://raw/events"], outlets: ["warehouse://staging"] }, async () => 3);
  const load = sqlQuery(d, "load", { conn: "sqlite://${db}", sql: ["create table if not exists staging (x int)", "create table if not exists sales (x int)", "insert into sales select x from staging"] });
  const boom = d.task("boom", async () => { throw new Error("the warehouse is on fire"); });
  extract.then(load).then(boom);
});
`,
    });
    const loaded = await h.load();
    expect(loaded.errors).toEqual([]);
    await h.start({ executor: new InProcessExecutor({ clock: systemClock, echoOutput: false }) });
    const api = await marquez();
    const file = join(dir, "lineage", "events.jsonl");
    const identity = { namespace: "e2e", producer: "urn:baton:test" };
    const overHttp = new LineageEmitter({
      store: h.store,
      secrets: null,
      transport: httpTransport({ type: "http", url: api.url, endpoint: "api/v1/lineage", apiKey: new Secret(API_KEY), timeoutMs: 5_000 }),
      identity,
      clock: systemClock,
      logger: silentLogger,
    });
    const toFile = new LineageEmitter({ store: h.store, secrets: null, transport: fileTransport(file), identity, clock: systemClock, logger: silentLogger });
    h.scheduler.onDomainEvent(overHttp.listener);
    h.scheduler.onDomainEvent(toFile.listener);

    const { run, states } = await h.runToEnd("sales");
    expect(states).toEqual({ extract: "success", load: "success", boom: "failed" });
    // The run's last event is published after its commit; then both emitters drain.
    for (let i = 0; i < 100 && !api.events.some((e) => e.job.name === "sales" && e.eventType === "FAIL"); i++) await new Promise((r) => setTimeout(r, 20));
    await overHttp.close(5_000);
    await toFile.close(5_000);

    const fromFile = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as RunEvent);
    expect(api.refused).toEqual([]);
    expect(fromFile).toEqual(api.events);
    const summary = api.events.map((e) => `${e.job.name} ${e.eventType}`);
    expect(summary).toEqual([
      "sales START",
      "sales.extract START",
      "sales.extract COMPLETE",
      "sales.load START",
      "sales.load COMPLETE",
      "sales.boom START",
      "sales.boom FAIL",
      "sales FAIL",
    ]);

    const dagRun = dagRunLineageId("sales", run.runId);
    const byJob = (name: string, type: string) => api.events.find((e) => e.job.name === name && e.eventType === type)!;
    for (const e of api.events.filter((e) => e.job.name !== "sales")) {
      expect(e.run.facets.parent).toMatchObject({ run: { runId: dagRun }, job: { namespace: "e2e", name: "sales" } });
      expect(e.job.facets.jobType).toMatchObject({ processingType: "BATCH", integration: "BATON", jobType: "TASK" });
      expect(e.job.facets.sourceCodeLocation).toMatchObject({ type: "file" });
    }
    expect(byJob("sales", "START").run.runId).toBe(dagRun);
    expect(byJob("sales.boom", "FAIL").run.runId).toBe(attemptLineageId("sales", run.runId, "boom", -1, 1));
    expect(byJob("sales.boom", "START").run.runId).toBe(byJob("sales.boom", "FAIL").run.runId);
    expect(byJob("sales.boom", "FAIL").run.facets.errorMessage).toMatchObject({
      message: "Error: the warehouse is on fire",
      programmingLanguage: "JavaScript",
    });
    expect(String(byJob("sales.boom", "FAIL").run.facets.errorMessage!.stackTrace)).toMatch(/the warehouse is on fire\n\s+at /);
    expect(byJob("sales.extract", "COMPLETE")).toMatchObject({
      inputs: [{ namespace: "s3://raw", name: "events" }],
      outputs: [{ namespace: "warehouse://staging", name: "/" }],
    });
    const load = byJob("sales.load", "COMPLETE");
    expect(load.inputs).toEqual([{ namespace: `sqlite://${db}`, name: "staging" }]);
    expect(load.outputs).toEqual([
      { namespace: `sqlite://${db}`, name: "staging" },
      { namespace: `sqlite://${db}`, name: "sales" },
    ]);
    expect(load.job.facets.sql).toMatchObject({ dialect: "sqlite", query: expect.stringContaining("insert into sales select x from staging") });
    expect(byJob("sales", "FAIL").run.facets.errorMessage).toBeUndefined(); // it failed by its leaves: no note

    if (missing === null) {
      const validator = loadEventValidator();
      for (const e of api.events) expect(validator.errors(e), `${e.job.name} ${e.eventType}`).toEqual([]);
    }
  });

  it("a cancelled run: its running attempt and the run are ABORT, with the cancel's note", async () => {
    h = new Harness({
      "slow.ts": `${HEADER}export default dag({ id: "slow" }, (d) => {
  d.task("wait", async (ctx) => { await new Promise((r) => setTimeout(r, 15_000)); return ctx.tryNumber; });
});
`,
    });
    await h.load();
    await h.start({ executor: new InProcessExecutor({ clock: systemClock, echoOutput: false }) });
    const api = await marquez();
    const emitter = new LineageEmitter({
      store: h.store,
      secrets: null,
      transport: httpTransport({ type: "http", url: api.url, endpoint: "api/v1/lineage", apiKey: new Secret(API_KEY), timeoutMs: 5_000 }),
      identity: { namespace: "e2e", producer: "urn:baton:test" },
      clock: systemClock,
      logger: silentLogger,
    });
    h.scheduler.onDomainEvent(emitter.listener);
    const run = await h.trigger("slow");
    const seen = async (job: string, type: string) => {
      for (let i = 0; i < 250 && !api.events.some((e) => e.job.name === job && e.eventType === type); i++) await new Promise((r) => setTimeout(r, 20));
      return api.events.find((e) => e.job.name === job && e.eventType === type)!;
    };
    await seen("slow.wait", "START");
    expect(await h.command("cancel_run", { dagId: "slow", runId: run.runId })).toMatch(/^ok/);
    const attempt = await seen("slow.wait", "ABORT");
    const ended = await seen("slow", "ABORT");
    await emitter.close(5_000);
    expect(api.events.map((e) => `${e.job.name} ${e.eventType}`)).toEqual(["slow START", "slow.wait START", "slow.wait ABORT", "slow ABORT"]);
    expect(attempt.run.facets.errorMessage).toMatchObject({ message: "stopped: cancelled by tester" });
    expect(ended.run.facets.errorMessage).toMatchObject({ message: "cancelled by tester" });
    if (missing === null) {
      const validator = loadEventValidator();
      for (const e of api.events) expect(validator.errors(e)).toEqual([]);
    }
  });
});
