import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PostgresTestDatabases, probePostgres, TEST_PG_URL } from "../../src/store/contract/postgres-test-databases.js";
import { baton, batonJson, poll, startBaton, startStandalone, stopProcess } from "./baton-cli.js";

const KEY = "db-copy-test-passphrase";
const PASSWORD = "c0nn-Passw0rd-copied";
const USER_PASSWORD = "correct horse battery";
const DAG = `import { dag } from "baton";
export default dag({ id: "moved" }, (d) => {
  const a = d.task("a", async () => 1);
  d.task("b", { inputs: { a } }, async (_ctx, { a }) => a + 1);
});
`;

const unreachable = await probePostgres(TEST_PG_URL);
if (unreachable !== undefined) {
  console.warn(
    `Skipping the baton db copy test: it needs PostgreSQL and cannot reach ${TEST_PG_URL.replace(/:[^:@/]*@/, ":***@")} (${unreachable}). Start a server or set BATON_TEST_PG_URL.`,
  );
}

interface CopyJson {
  matches: boolean;
  tables: { table: string; source: number; target: number }[];
  identities: { table: string; column: string; next: number }[];
}

describe.skipIf(unreachable !== undefined)("baton db copy --to postgres:// (the real binary)", () => {
  let dbs: PostgresTestDatabases;
  let root: string;
  let env: Record<string, string>;
  const procs: ChildProcess[] = [];

  beforeAll(async () => {
    dbs = await PostgresTestDatabases.create(TEST_PG_URL);
  });
  afterAll(async () => {
    await dbs?.dispose();
  });
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "baton-e2e-copy-"));
    mkdirSync(join(root, "dags"));
    writeFileSync(join(root, "dags", "moved.ts"), DAG);
    env = {
      BATON_HOME: join(root, "home"),
      BATON_DAGS: join(root, "dags"),
      BATON_SECRET_KEY: KEY,
      BATON_POLL_MS: "100",
      BATON_WORKERS: "2",
      BATON_API_PORT: "0",
    };
  });
  afterEach(async () => {
    for (const p of procs.splice(0)) await stopProcess(p);
    rmSync(root, { recursive: true, force: true });
  });

  async function ok(args: string[], e = env) {
    const r = await baton(args, e);
    expect(r.code, `baton ${args.join(" ")}: ${r.stdout}\n${r.stderr}`).toBe(0);
    return r;
  }

  it("copies runs, connections, variables, users and the audit trail; PostgreSQL then serves them and hands out fresh ids", async () => {
    await ok(["connections", "add", "warehouse", "--uri", `postgres://etl:${PASSWORD}@db.internal:5432/dw`]);
    await ok(["variables", "set", "region", "eu-west-1"]);
    await ok(["users", "create", "ops", "--role", "admin", "--password", USER_PASSWORD]);
    const s = await startStandalone(env);
    procs.push(s.proc);
    for (let i = 0; i < 3; i++) await ok(["dags", "trigger", "moved", "--run-id", `r${i}`]);
    await poll(async () => {
      const runs = batonJson<{ state: string }[]>(await baton(["runs", "list", "--json"], env));
      return runs.length === 3 && runs.every((r) => r.state === "success") ? true : undefined;
    });

    const url = await dbs.empty();
    const whileRunning = await baton(["db", "copy", "--to", url], env);
    expect(whileRunning.code).toBe(2);
    expect(whileRunning.stderr).toMatch(/Refusing to copy .* while a scheduler runs on it/);
    await stopProcess(procs.pop());

    const copied = batonJson<CopyJson>(await ok(["db", "copy", "--to", url, "--json"]));
    expect(copied.matches).toBe(true);
    const count = (t: string) => copied.tables.find((x) => x.table === t);
    expect(count("dag_runs")).toEqual({ table: "dag_runs", source: 3, target: 3 });
    expect(count("task_instances")).toEqual({ table: "task_instances", source: 6, target: 6 });
    expect(count("task_attempts")?.target).toBe(6);
    expect(count("connections")?.target).toBe(1);
    expect(count("variables")?.target).toBe(1);
    expect(count("users")?.target).toBe(1);
    expect(count("pools")?.target).toBe(1);
    expect(count("audit_log")?.target).toBeGreaterThanOrEqual(6); // connection, variable, user, 3 triggers
    expect(copied.tables.map((t) => t.table)).not.toContain("baton_migration");
    expect(copied.tables.length).toBeGreaterThanOrEqual(30); // every table of the schema
    const runIds = copied.identities.find((i) => i.table === "dag_runs");
    expect(runIds?.next).toBe(4);

    // The same numbers, counted by PostgreSQL itself.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      for (const t of copied.tables) {
        const { rows } = await client.query<{ n: string }>(`select count(*) as n from "${t.table}"`);
        expect(Number(rows[0]!.n), t.table).toBe(t.source);
      }
    } finally {
      await client.end();
    }

    const onPg = { ...env, BATON_HOME: join(root, "pg-home"), BATON_DATABASE_URL: url };
    const runs = batonJson<{ runId: string; state: string }[]>(await ok(["runs", "list", "--json"], onPg));
    expect(runs.map((r) => [r.runId, r.state]).sort()).toEqual([
      ["r0", "success"],
      ["r1", "success"],
      ["r2", "success"],
    ]);
    const conn = batonJson<{ host: string; password: string }>(await ok(["connections", "get", "warehouse", "--reveal", "--json"], onPg));
    expect(conn).toMatchObject({ host: "db.internal", password: PASSWORD });
    expect((await baton(["connections", "get", "warehouse", "--reveal"], { ...onPg, BATON_SECRET_KEY: "another key" })).code).not.toBe(0);
    expect((await ok(["variables", "get", "region"], onPg)).stdout).toBe("eu-west-1\n");
    expect((await ok(["audit", "list", "--action", "run.trigger", "--json"], onPg)).stdout).toContain('"r2"');

    // The user signs in to an API server on PostgreSQL.
    const api = await startBaton(["api"], onPg, /running at http/);
    procs.push(api.proc);
    const base = /(http:\/\/127\.0\.0\.1:\d+)/.exec(api.output())![1]!;
    const login = (password: string) =>
      fetch(`${base}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: "ops", password }),
      });
    expect((await login(USER_PASSWORD)).status).toBe(200);
    expect((await login("wrong password")).status).toBe(401);
    await stopProcess(procs.pop());

    // A run created after the copy gets an id past the copied ones (the identity sequence moved).
    await ok(["dags", "trigger", "moved", "--run-id", "after-copy"], onPg);
    const pk = new pg.Client({ connectionString: url });
    await pk.connect();
    try {
      const { rows } = await pk.query<{ id: string; run_id: string }>("select id, run_id from dag_runs order by id");
      expect(rows.map((r) => [Number(r.id), r.run_id])).toEqual([
        [1, "r0"],
        [2, "r1"],
        [3, "r2"],
        [4, "after-copy"],
      ]);
    } finally {
      await pk.end();
    }

    // The target now holds data: a second copy refuses it and changes nothing.
    const again = await baton(["db", "copy", "--to", url], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds Baton data: .*dag_runs \(4\)/);
  }, 240_000);

  it("takes an empty SQLite home to a migrated PostgreSQL database; refuses a non-PostgreSQL target and a PostgreSQL source", async () => {
    await ok(["db", "migrate"]);
    const url = await dbs.clone(); // migrated, seeded with default_pool only: still empty
    const out = await ok(["db", "copy", "--to", url]);
    expect(out.stdout).toMatch(/pools\s+1\s+1\s+ok/);
    expect(out.stdout).toMatch(/every count matches/);
    expect(out.stdout).toContain("BATON_SECRET_KEY");

    const notPg = await baton(["db", "copy", "--to", join(root, "other.db")], env);
    expect(notPg.code).toBe(2);
    expect(notPg.stderr).toMatch(/--to must be a PostgreSQL URL/);
    const fromPg = await baton(["db", "copy", "--to", url], { ...env, BATON_DATABASE_URL: url });
    expect(fromPg.code).toBe(2);
    expect(fromPg.stderr).toMatch(/copies from SQLite/);
  }, 120_000);
});
