// Shared by the reference-pipeline tests: run an example DAG with the real `baton dags test`,
// probe a service, and give each test its own PostgreSQL database (dropped afterwards).
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createConnection } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { expect } from "vitest";
import { BIN, ROOT } from "./baton-cli.js";

export interface TaskResult {
  taskId: string;
  state: string;
  attempts: number;
  error?: string;
}
export interface RunResult {
  dagId: string;
  runId: string;
  state: string;
  tasks: TaskResult[];
}

export const unique = (prefix: string) => `${prefix}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;

/** Null when something accepts TCP connections on 127.0.0.1:port, else why not. */
export function unreachable(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const s = createConnection({ host: "127.0.0.1", port, timeout: 1000 });
    s.once("connect", () => (s.destroy(), resolve(null)));
    s.once("timeout", () => (s.destroy(), resolve(`nothing answers on 127.0.0.1:${port} (timeout)`)));
    s.once("error", (e) => resolve(`nothing answers on 127.0.0.1:${port} (${e.message})`));
  });
}

export const PG_ADMIN = "postgres://postgres@127.0.0.1:5432/test";

/** Null when PostgreSQL answers on 127.0.0.1:5432 (db test, user postgres), else why not. */
export async function postgresMissing(): Promise<string | null> {
  const down = await unreachable(5432);
  if (down) return `PostgreSQL: ${down}`;
  const client = new pg.Client({ connectionString: PG_ADMIN });
  try {
    await client.connect();
    await client.query("SELECT 1");
    return null;
  } catch (e) {
    return `PostgreSQL on 127.0.0.1:5432 refused user postgres / db test: ${(e as Error).message}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A fresh database for one test; `drop()` removes it. */
export async function freshDatabase(): Promise<{
  name: string;
  uri: string;
  query: <R extends object>(sql: string, params?: unknown[]) => Promise<R[]>;
  drop: () => Promise<void>;
}> {
  const name = unique("baton_ref");
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const uri = `postgres://postgres@127.0.0.1:5432/${name}`;
  return {
    name,
    uri,
    async query<R extends object>(sql: string, params: unknown[] = []) {
      const c = new pg.Client({ connectionString: uri });
      await c.connect();
      try {
        return (await c.query(sql, params)).rows as R[];
      } finally {
        await c.end();
      }
    },
    async drop() {
      const c = new pg.Client({ connectionString: PG_ADMIN });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

/** A temporary BATON_HOME; `remove()` deletes it. */
export async function tempHome(): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), "baton-ref-"));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * `baton dags test <dagId> --dags examples/dags --json` with BATON_HOME=home and exactly the
 * connections in `conns` (every inherited BATON_CONN_* is removed). Checks the exit code.
 */
export async function dagsTest(
  dagId: string,
  opts: { home: string; date?: string; conf?: Record<string, unknown>; conns?: Record<string, string>; expectExit?: 0 | 1 },
): Promise<RunResult> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("BATON_CONN_")) env[k] = v;
  env["BATON_HOME"] = opts.home;
  for (const [id, uri] of Object.entries(opts.conns ?? {})) env[`BATON_CONN_${id.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`] = uri;
  const args = [BIN, "dags", "test", dagId, "--dags", "examples/dags", "--home", opts.home, "--json"];
  if (opts.date) args.push("--date", opts.date);
  if (opts.conf) args.push("--conf", JSON.stringify(opts.conf));
  const { code, stdout, stderr } = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT, env, timeout: 240_000, maxBuffer: 32 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== "number") reject(new Error(`baton ${args.slice(1).join(" ")}: ${error.message}\n${stderr}`));
      else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
    });
  });
  const output = `exit ${code}\n--- stdout\n${stdout}\n--- stderr\n${stderr}`;
  expect(code, output).toBe(opts.expectExit ?? 0);
  let run: RunResult;
  try {
    run = JSON.parse(stdout) as RunResult;
  } catch {
    throw new Error(`stdout is not one JSON object\n${output}`);
  }
  expect(run.dagId).toBe(dagId);
  return run;
}

export function states(run: RunResult): Record<string, string> {
  return Object.fromEntries(run.tasks.map((t) => [t.taskId, t.state]));
}

export function taskError(run: RunResult, taskId: string): string {
  return run.tasks.find((t) => t.taskId === taskId)?.error ?? "";
}
