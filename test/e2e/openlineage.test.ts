import { createServer, type Server } from "node:http";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { RunEvent } from "../../src/lineage/openlineage-types.js";
import { dagRunLineageId } from "../../src/lineage/run-ids.js";
import { loadEventValidator, schemasMissing } from "../../src/lineage/testing/openlineage-schemas.js";
import { baton, poll, startStandalone, waitExit } from "./baton-cli.js";

// OpenLineage through the real `baton standalone` (needs `npx tsc -p tsconfig.build.json`): a
// Marquez stand-in on 127.0.0.1 that checks the API key receives every event of a real run.
let root: string;
let env: Record<string, string>;
let proc: ChildProcess | undefined;
let server: Server | undefined;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-e2e-lineage-"));
  mkdirSync(join(root, "dags"));
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: join(root, "dags"), BATON_POLL_MS: "100", BATON_WORKERS: "2", BATON_API_PORT: "0" };
});
afterEach(async () => {
  if (proc && proc.exitCode === null) {
    proc.kill("SIGKILL");
    await waitExit(proc).catch(() => {});
  }
  proc = undefined;
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
  rmSync(root, { recursive: true, force: true });
});

const KEY = "e2e-lineage-key";

async function marquez(): Promise<{ url: string; events: RunEvent[]; refused: string[] }> {
  const events: RunEvent[] = [];
  const refused: string[] = [];
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString()));
    req.on("end", () => {
      if (req.method !== "POST" || req.url !== "/api/v1/lineage") {
        refused.push(`${req.method} ${req.url}`);
        res.writeHead(404).end();
      } else if (req.headers.authorization !== `Bearer ${KEY}`) {
        refused.push(`bad key: ${req.headers.authorization ?? "none"}`);
        res.writeHead(401).end();
      } else {
        events.push(JSON.parse(body) as RunEvent);
        res.writeHead(201, { "content-type": "application/json" }).end("{}");
      }
    });
  });
  await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, events, refused };
}

const missing = schemasMissing();
if (missing) console.warn(`OpenLineage events are not schema-checked here: ${missing}`);

describe("OpenLineage in baton standalone", () => {
  it("sends every run and attempt event over HTTP with the API key: datasets, SQL, a FAIL with the error, a triggered run's parent", async () => {
    const db = join(root, "warehouse.db");
    writeFileSync(
      join(root, "dags", "lineage_e2e.ts"),
      `import { dag } from "baton";
import { sqlQuery, triggerDag } from "baton/operators";
export default dag({ id: "lineage_e2e" }, (d) => {
  const extract = d.task("extract", { inlets: ["s3://raw/events"], outlets: ["warehouse://staging"] }, async () => 3);
  const load = sqlQuery(d, "load", { conn: "sqlite://${db}", sql: ["create table if not exists staging (x int)", "create table if not exists sales (x int)", "insert into sales select x from staging"] });
  const child = triggerDag(d, "start_child", { dagId: "lineage_child" });
  const boom = d.task("boom", async () => { throw new Error("lineage e2e failure"); });
  extract.then(load).then(child).then(boom);
});
`,
    );
    writeFileSync(
      join(root, "dags", "lineage_child.ts"),
      `import { dag } from "baton";\nexport default dag({ id: "lineage_child" }, (d) => { d.task("work", async () => 1); });\n`,
    );
    const api = await marquez();
    const s = await startStandalone({ ...env, OPENLINEAGE_URL: api.url, OPENLINEAGE_API_KEY: KEY, OPENLINEAGE_NAMESPACE: "e2e" });
    proc = s.proc;
    const trig = await baton(["dags", "trigger", "lineage_e2e", "--run-id", "lin1"], env);
    expect(trig.code, trig.stderr).toBe(0);
    const has = (job: string, type: string) => api.events.some((e) => e.job.name === job && e.eventType === type);
    await poll(async () => (has("lineage_e2e", "FAIL") && has("lineage_child", "COMPLETE") ? true : undefined), 60_000);
    proc.kill("SIGTERM");
    expect(await waitExit(proc)).toBe(0);
    expect(s.output()).not.toContain(KEY);

    expect(api.refused).toEqual([]);
    const parentJobs = api.events
      .filter((e) => e.job.name === "lineage_e2e" || e.job.name.startsWith("lineage_e2e."))
      .map((e) => `${e.job.name} ${e.eventType}`);
    expect(parentJobs).toEqual([
      "lineage_e2e START",
      "lineage_e2e.extract START",
      "lineage_e2e.extract COMPLETE",
      "lineage_e2e.load START",
      "lineage_e2e.load COMPLETE",
      "lineage_e2e.start_child START",
      "lineage_e2e.start_child COMPLETE",
      "lineage_e2e.boom START",
      "lineage_e2e.boom FAIL",
      "lineage_e2e FAIL",
    ]);
    const parentRun = dagRunLineageId("lineage_e2e", "lin1");
    const find = (job: string, type: string) => api.events.find((e) => e.job.name === job && e.eventType === type)!;
    expect(find("lineage_e2e", "START").run.runId).toBe(parentRun);
    expect(find("lineage_e2e.load", "START").run.facets.parent).toMatchObject({ run: { runId: parentRun }, job: { namespace: "e2e", name: "lineage_e2e" } });
    expect(find("lineage_e2e.boom", "FAIL").run.facets.errorMessage).toMatchObject({
      message: "Error: lineage e2e failure",
      programmingLanguage: "JavaScript",
      stackTrace: expect.stringMatching(/lineage e2e failure\n\s+at /),
    });
    expect(find("lineage_e2e.load", "COMPLETE")).toMatchObject({
      inputs: [{ namespace: `sqlite://${db}`, name: "staging" }],
      outputs: [
        { namespace: `sqlite://${db}`, name: "staging" },
        { namespace: `sqlite://${db}`, name: "sales" },
      ],
      job: { facets: { sql: { dialect: "sqlite" }, sourceCodeLocation: { type: "file", path: join(root, "dags", "lineage_e2e.ts") } } },
    });
    expect(find("lineage_e2e.extract", "COMPLETE")).toMatchObject({
      inputs: [{ namespace: "s3://raw", name: "events" }],
      outputs: [{ namespace: "warehouse://staging", name: "/" }],
    });
    // The run triggerDag started names the run that triggered it; its task names its own run.
    const child = find("lineage_child", "START");
    expect(child.run.facets.parent).toMatchObject({ run: { runId: parentRun }, job: { namespace: "e2e", name: "lineage_e2e" } });
    expect(find("lineage_child.work", "COMPLETE").run.facets.parent).toMatchObject({ run: { runId: child.run.runId }, root: { run: { runId: parentRun } } });

    if (missing === null) {
      const validator = loadEventValidator();
      for (const e of api.events) expect(validator.errors(e), `${e.job.name} ${e.eventType}`).toEqual([]);
    }
  });

  it("a wrong OPENLINEAGE_* value stops the start with exit code 2, naming the variable", async () => {
    const r = await baton(["standalone"], { ...env, OPENLINEAGE__TRANSPORT__TYPE: "kafka" }, 30_000);
    expect(r.code).toBe(2);
    expect(r.stderr + r.stdout).toMatch(/OPENLINEAGE__TRANSPORT__TYPE must be one of http, file, console, got "kafka"/);
  });
});
