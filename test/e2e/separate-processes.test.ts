import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { PostgresTestDatabases, probePostgres, TEST_PG_URL } from "../../src/store/contract/postgres-test-databases.js";
import { redactDatabaseUrl } from "../../src/cli/scheduler-parts.js";
import { baton, batonJson, poll, startBaton, stopProcess } from "./baton-cli.js";

// `baton scheduler` and `baton api` as two processes on one database (docs/storage.md,
// "Deployments with separate processes").

const HELLO = `import { dag, z } from "baton";\nexport default dag({ id: "hello", params: z.object({ name: z.string().default("world") }) }, (d) => {\n  d.task("greet", async (ctx) => "hello " + ctx.params.name);\n});\n`;

let root: string;
let env: Record<string, string>;
const procs: ChildProcess[] = [];

function setUp(databaseUrl?: string): void {
  root = mkdtempSync(join(tmpdir(), "baton-split-e2e-"));
  mkdirSync(join(root, "dags"));
  writeFileSync(join(root, "dags", "hello.ts"), HELLO);
  env = {
    BATON_HOME: join(root, "home"),
    BATON_DAGS: join(root, "dags"),
    BATON_POLL_MS: "100",
    BATON_API_PORT: "0",
    BATON_DATABASE_URL: databaseUrl ?? join(root, "shared.db"),
  };
}

async function tearDown(): Promise<void> {
  for (const p of procs.splice(0)) await stopProcess(p, 5_000);
  rmSync(root, { recursive: true, force: true });
}

const urlOf = (output: string) => /(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];

/** Starts `baton scheduler` then `baton api` on `env`'s database; returns the API's URL and an admin token. */
async function startSplit(): Promise<{ scheduler: { proc: ChildProcess; output: () => string }; base: string; token: string }> {
  for (const args of [
    ["db", "migrate"],
    ["users", "create", "ops", "--role", "admin", "--password", "correct horse battery"],
  ]) {
    const r = await baton(args, env);
    expect(r.code, r.stderr).toBe(0);
  }
  const token = (await baton(["tokens", "create", "--user", "ops", "--name", "e2e"], env)).stdout.trim();
  const scheduler = await startBaton(["scheduler", "--workers", "1"], env, "Baton scheduler is running");
  procs.push(scheduler.proc);
  const apiProc = await startBaton(["api"], env, /http:\/\/127\.0\.0\.1:\d+/);
  procs.push(apiProc.proc);
  return { scheduler, base: urlOf(apiProc.output())!, token };
}

async function runState(base: string, token: string, runId: string): Promise<{ state: string } | undefined> {
  const res = await fetch(`${base}/api/v1/dags/hello/runs/${encodeURIComponent(runId)}`, { headers: { authorization: `Bearer ${token}` } });
  const body = (await res.json()) as { state: string };
  return body.state === "success" || body.state === "failed" ? body : undefined;
}

/** A run triggered through the API and one through `baton dags trigger` both succeed: the scheduler's poll picks them up. */
async function triggeredRunsSucceed(base: string, token: string): Promise<void> {
  const trig = await fetch(`${base}/api/v1/dags/hello/runs`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ conf: { name: "Ada" } }),
  });
  expect(trig.status).toBe(201);
  const { runId } = (await trig.json()) as { runId: string };
  expect((await poll(() => runState(base, token, runId))).state).toBe("success");
  const ti = (await (
    await fetch(`${base}/api/v1/dags/hello/runs/${encodeURIComponent(runId)}/tasks/greet`, { headers: { authorization: `Bearer ${token}` } })
  ).json()) as { returnValue: unknown };
  expect(ti.returnValue).toBe("hello Ada");

  const cli = batonJson<{ runId: string }>(await baton(["dags", "trigger", "hello", "--conf", '{"name":"CLI"}', "--json"], env));
  expect((await poll(() => runState(base, token, cli.runId))).state).toBe("success");
}

describe("baton scheduler + baton api as separate processes, on one SQLite file", () => {
  beforeEach(() => setUp());
  afterEach(tearDown);

  it("the API's and the CLI's runs succeed; the banner names the database, DAGs and workers; SIGTERM exits 0", async () => {
    const { scheduler, base, token } = await startSplit();
    const banner = scheduler.output();
    expect(banner).toContain(`Database:    ${env.BATON_DATABASE_URL}`);
    expect(banner).toContain(`DAGs folder: ${env.BATON_DAGS} (1 DAG(s) loaded`);
    expect(banner).toContain("Workers:     1 process(es)");
    expect(banner).not.toMatch(/http:\/\//); // the scheduler serves nothing
    await triggeredRunsSucceed(base, token);
    scheduler.proc.kill("SIGTERM");
    expect(await new Promise((r) => scheduler.proc.once("exit", r))).toBe(0);
    expect(scheduler.output()).toContain("Baton stopped");
  });

  it("a second scheduler (or standalone) on the same file exits 2, saying SQLite runs one scheduler per file", async () => {
    const { scheduler } = await startSplit();
    const pid = scheduler.proc.pid!;
    const expected = new RegExp(
      `another scheduler \\([^)]*:${pid}\\) is running on this SQLite database; SQLite runs one scheduler per file — use PostgreSQL \\(BATON_DATABASE_URL=postgres://…\\) to run several`,
    );
    const second = await baton(["scheduler"], env, 30_000);
    expect(second.code).toBe(2);
    expect(second.stderr).toMatch(expected);
    const standalone = await baton(["standalone"], env, 30_000);
    expect(standalone.code).toBe(2);
    expect(standalone.stderr).toMatch(expected);
    // --workers 0 is valid (remote workers only); a value that is not a whole number is not.
    const badWorkers = await baton(["scheduler", "--workers", "abc"], env, 30_000);
    expect(badWorkers.code).toBe(2);
    expect(badWorkers.stderr).toMatch(/--workers.*must be a whole number/);
  });
});

const pgDown = await probePostgres(TEST_PG_URL);
if (pgDown !== undefined) {
  console.warn(
    `Skipping baton scheduler + baton api on PostgreSQL: cannot reach ${TEST_PG_URL.replace(/:[^:@/]*@/, ":***@")} (${pgDown}). Start a server or set BATON_TEST_PG_URL.`,
  );
}

describe.skipIf(pgDown !== undefined)("baton scheduler + baton api as separate processes, on PostgreSQL", () => {
  let dbs: PostgresTestDatabases;
  beforeAll(async () => {
    dbs = await PostgresTestDatabases.create(TEST_PG_URL);
  });
  afterAll(async () => {
    await dbs?.dispose();
  });
  afterEach(tearDown);

  it("the API's and the CLI's runs succeed; the banner hides any password", async () => {
    const url = await dbs.empty();
    setUp(url);
    const { scheduler, base, token } = await startSplit();
    expect(scheduler.output()).toContain(`Database:    ${redactDatabaseUrl(url)}`);
    const password = decodeURIComponent(new URL(url).password);
    if (password) expect(scheduler.output()).not.toContain(password);
    await triggeredRunsSucceed(base, token);
  });
});
