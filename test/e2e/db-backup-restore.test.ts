import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { baton, batonJson, poll, startStandalone, stopProcess } from "./baton-cli.js";

const KEY = "backup-restore-test-passphrase";
const PASSWORD = "c0nn-Passw0rd-in-backup";
const DAG = `import { dag } from "baton";
export default dag({ id: "kept" }, (d) => {
  const a = d.task("a", async () => 1);
  d.task("b", { inputs: { a } }, async (_ctx, { a }) => a + 1);
});
`;

let root: string;
let env: Record<string, string>;
let proc: ChildProcess | undefined;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-e2e-backup-"));
  mkdirSync(join(root, "dags"));
  writeFileSync(join(root, "dags", "kept.ts"), DAG);
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
  await stopProcess(proc);
  proc = undefined;
  rmSync(root, { recursive: true, force: true });
});

async function ok(args: string[], e = env) {
  const r = await baton(args, e);
  expect(r.code, `baton ${args.join(" ")}: ${r.stderr}`).toBe(0);
  return r;
}

describe("baton db backup / restore (the real binary, SQLite)", () => {
  it("backs up while a standalone runs, restores into a fresh home: every run, connection (same key) and variable is there", async () => {
    await ok(["connections", "add", "warehouse", "--uri", `postgres://etl:${PASSWORD}@db.internal:5432/dw`]);
    await ok(["variables", "set", "region", "eu-west-1"]);
    proc = (await startStandalone(env)).proc;
    for (let i = 0; i < 3; i++) await ok(["dags", "trigger", "kept", "--run-id", `r${i}`]);
    await poll(async () => {
      const runs = batonJson<{ state: string }[]>(await baton(["runs", "list", "--json"], env));
      return runs.length === 3 && runs.every((r) => r.state === "success") ? true : undefined;
    });

    const file = join(root, "baton-backup.db");
    const backup = await ok(["db", "backup", file]);
    expect(backup.stdout).toMatch(/Backed up .* bytes; 3 runs, 6 task instances, 1 DAGs, 1 connections, 1 variables/);
    expect(backup.stdout).toContain("BATON_SECRET_KEY");
    expect(backup.stdout).not.toContain(PASSWORD);
    expect(existsSync(`${file}-wal`)).toBe(false);

    const again = await baton(["db", "backup", file], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/exists; pass --force/);
    const forced = batonJson<{ runs: number; bytes: number }>(await ok(["db", "backup", file, "--force", "--json"]));
    expect(forced.runs).toBe(3);
    expect(forced.bytes).toBeGreaterThan(0);

    const intoRunning = await baton(["db", "restore", file, "--force"], env);
    expect(intoRunning.code).toBe(2);
    expect(intoRunning.stderr).toMatch(/Refusing to restore .* while a scheduler runs on it/);
    await stopProcess(proc);
    proc = undefined;

    const fresh = { ...env, BATON_HOME: join(root, "fresh-home") };
    const restored = await ok(["db", "restore", file], fresh);
    expect(restored.stdout).toMatch(/Restored .* 3 runs, 6 task instances/);
    const runs = batonJson<{ runId: string; state: string }[]>(await ok(["runs", "list", "--json"], fresh));
    expect(runs.map((r) => [r.runId, r.state]).sort()).toEqual([
      ["r0", "success"],
      ["r1", "success"],
      ["r2", "success"],
    ]);
    const conn = batonJson<{ id: string; host: string; password: string }>(await ok(["connections", "get", "warehouse", "--reveal", "--json"], fresh));
    expect(conn).toMatchObject({ id: "warehouse", host: "db.internal", password: PASSWORD });
    expect(batonJson<{ id: string }[]>(await ok(["connections", "list", "--json"], fresh)).map((c) => c.id)).toEqual(["warehouse"]);
    expect((await ok(["variables", "get", "region"], fresh)).stdout).toBe("eu-west-1\n");
    const wrongKey = await baton(["connections", "get", "warehouse", "--reveal"], { ...fresh, BATON_SECRET_KEY: "another key" });
    expect(wrongKey.code).not.toBe(0);

    const overData = await baton(["db", "restore", file], fresh);
    expect(overData.code).toBe(2);
    expect(overData.stderr).toMatch(/already holds data .*pass --force/);
    await ok(["db", "restore", file, "--force"], fresh);
  });

  it("refuses a file that is not a Baton database, and sends PostgreSQL users to pg_dump", async () => {
    const junk = join(root, "junk.db");
    writeFileSync(junk, "not a database at all, just text that is long enough to have a header........");
    const notSqlite = await baton(["db", "restore", junk], env);
    expect(notSqlite.code).toBe(2);
    expect(notSqlite.stderr).toMatch(/not a SQLite database/);

    const otherSqlite = join(root, "other.db");
    const { default: Sqlite } = await import("better-sqlite3");
    const db = new Sqlite(otherSqlite);
    db.exec("CREATE TABLE t (x)");
    db.close();
    const notBaton = await baton(["db", "restore", otherSqlite], env);
    expect(notBaton.code).toBe(2);
    expect(notBaton.stderr).toMatch(/not a Baton database \(it has no baton_migration table\)/);
    expect(existsSync(join(root, "home", "baton.db"))).toBe(false);

    const pg = { ...env, BATON_DATABASE_URL: "postgres://nobody@127.0.0.1:1/none" };
    const b = await baton(["db", "backup", join(root, "x.dump")], pg);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/pg_dump --format=custom/);
    expect(b.stderr).toMatch(/Keep BATON_SECRET_KEY with the dump/);
    const r = await baton(["db", "restore", join(root, "x.dump")], pg);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/pg_restore/);
  });
});
