import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { PostgresTestDatabases, probePostgres, TEST_PG_URL } from "../../src/store/contract/postgres-test-databases.js";
import { baton, batonJson, poll, startStandalone, waitExit } from "./baton-cli.js";

const unreachable = await probePostgres(TEST_PG_URL);
if (unreachable !== undefined) {
  console.warn(
    `Skipping the PostgreSQL end-to-end test: cannot reach ${TEST_PG_URL.replace(/:[^:@/]*@/, ":***@")} (${unreachable}). Start a server or set BATON_TEST_PG_URL.`,
  );
}

describe.skipIf(unreachable !== undefined)("baton on PostgreSQL (BATON_DATABASE_URL)", () => {
  let dbs: PostgresTestDatabases;
  let url: string;
  let root: string;
  let proc: ChildProcess | undefined;

  beforeAll(async () => {
    dbs = await PostgresTestDatabases.create(TEST_PG_URL);
    url = await dbs.empty();
    root = mkdtempSync(join(tmpdir(), "baton-pg-e2e-"));
    mkdirSync(join(root, "dags"));
  });
  afterAll(async () => {
    if (proc && proc.exitCode === null) {
      proc.kill("SIGKILL");
      await waitExit(proc).catch(() => {});
    }
    await dbs?.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it("runs the same pipeline: migrate, trigger with conf, standalone executes it", async () => {
    writeFileSync(
      join(root, "dags", "pg.ts"),
      `import { dag, z } from "baton";\nexport default dag({ id: "pg_dag", params: z.object({ n: z.number().default(1) }) }, (d) => {\n` +
        `  const a = d.task("a", async (ctx) => ctx.params.n * 2);\n  d.task("b", { inputs: { a } }, async (_c, { a }) => a + 1);\n});\n`,
    );
    const env = { BATON_HOME: join(root, "home"), BATON_DAGS: join(root, "dags"), BATON_DATABASE_URL: url, BATON_POLL_MS: "100", BATON_API_PORT: "0" };
    expect((await baton(["db", "migrate"], env)).code).toBe(0);
    const trig = await baton(["dags", "trigger", "pg_dag", "--conf", '{"n": 20}', "--json"], env);
    expect(trig.code).toBe(0);
    const { runId } = batonJson<{ runId: string }>(trig);
    const s = await startStandalone(env);
    proc = s.proc;
    const run = await poll(async () => {
      const runs = batonJson<{ runId: string; state: string }[]>(await baton(["runs", "list", "--dag", "pg_dag", "--json"], env));
      const r = runs.find((x) => x.runId === runId);
      return r && r.state !== "queued" && r.state !== "running" ? r : undefined;
    });
    expect(run.state).toBe("success");
    proc.kill("SIGTERM");
    expect(await waitExit(proc)).toBe(0);
  });
});
