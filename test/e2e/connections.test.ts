import { createServer, type Server } from "node:http";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { baton, batonJson, poll, startStandalone, waitExit } from "./baton-cli.js";

const PG_URL = "postgres://postgres@127.0.0.1:5432/postgres";
const PASSWORD = "pl4intext-Passw0rd";

async function probe(): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return undefined;
  } catch (e) {
    return (e as Error).message;
  } finally {
    await client.end().catch(() => {});
  }
}
const pgUnreachable = await probe();
if (pgUnreachable !== undefined) console.warn(`Skipping the PostgreSQL connection tests: cannot reach ${PG_URL} (${pgUnreachable}).`);

let root: string;
let dags: string;
let env: Record<string, string>;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), "baton-e2e-conn-"));
  dags = join(root, "dags");
  mkdirSync(dags);
  env = { BATON_HOME: join(root, "home"), BATON_DAGS: dags, BATON_API_PORT: "0" };
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

interface ConnView {
  id: string;
  type: string;
  host: string | null;
  port: number | null;
  login: string | null;
  schema: string | null;
  password?: string | null;
  extra: Record<string, string>;
  source?: string;
}

describe("baton connections (the real binary)", () => {
  it.skipIf(pgUnreachable !== undefined)(
    "add, list, get, test and delete a PostgreSQL connection; the password never shows and is not in the database file",
    async () => {
      const uri = `postgres://postgres:${PASSWORD}@127.0.0.1:5432/postgres?sslmode=disable&api_key=extra-s3cret`;
      const add = await baton(["connections", "add", "pg_local", "--uri", uri, "--description", "local server"], env);
      expect(add.code, add.stderr).toBe(0);
      const again = await baton(["connections", "add", "pg_local", "--uri", uri], env);
      expect(again.code).toBe(2);

      const list = await baton(["connections", "list", "--json"], env);
      expect(list.stdout).not.toContain(PASSWORD);
      expect(list.stdout).not.toContain("extra-s3cret");
      expect(batonJson<ConnView[]>(list)).toEqual([
        expect.objectContaining({
          id: "pg_local",
          type: "postgres",
          host: "127.0.0.1",
          port: 5432,
          login: "postgres",
          schema: "postgres",
          extra: { sslmode: "disable", api_key: "***" },
        }),
      ]);
      expect(batonJson<ConnView[]>(list)[0]).not.toHaveProperty("password");
      const table = await baton(["connections", "list"], env);
      expect(table.stdout).toContain("pg_local");
      expect(table.stdout).not.toContain(PASSWORD);

      const get = await baton(["connections", "get", "pg_local", "--json"], env);
      expect(get.stdout).not.toContain(PASSWORD);
      expect(batonJson<ConnView>(get)).toMatchObject({ id: "pg_local", source: "store", extra: { api_key: "***" } });
      const revealed = batonJson<ConnView>(await baton(["connections", "get", "pg_local", "--json", "--reveal"], env));
      expect(revealed.password).toBe(PASSWORD);

      const test = await baton(["connections", "test", "pg_local"], env);
      expect(test.stdout).toContain("Connection pg_local (postgres): ok");
      expect(test.code).toBe(0);

      // At rest: ciphertext only (the SQLite file and its WAL).
      const home = join(root, "home");
      for (const f of readdirSync(home).filter((f) => f.startsWith("baton.db"))) {
        const bytes = readFileSync(join(home, f));
        expect(bytes.includes(PASSWORD), f).toBe(false);
        expect(bytes.includes("extra-s3cret"), f).toBe(false);
      }
      expect(statSync(join(home, "secret.key")).mode & 0o777).toBe(0o600);

      // With another key, reading fails and says which key to set.
      const wrongKey = await baton(["connections", "get", "pg_local"], { ...env, BATON_SECRET_KEY: "not the key it was written with" });
      expect(wrongKey.code).toBe(2);
      expect(wrongKey.stderr).toContain("BATON_SECRET_KEY");

      expect((await baton(["connections", "delete", "pg_local"], env)).code).toBe(0);
      const gone = await baton(["connections", "get", "pg_local"], env);
      expect(gone.code).toBe(2);
      expect(gone.stderr).toContain("BATON_CONN_PG_LOCAL");
    },
  );

  it.skipIf(pgUnreachable !== undefined)("connections test reports a failure with exit 1", async () => {
    await baton(
      [
        "connections",
        "add",
        "pg_bad",
        "--type",
        "postgres",
        "--host",
        "127.0.0.1",
        "--port",
        "5432",
        "--login",
        "postgres",
        "--schema",
        "no_such_db_for_baton",
      ],
      env,
    );
    const r = await baton(["connections", "test", "pg_bad"], env);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("failed");
  });

  describe("without PostgreSQL", () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      server = createServer((req, res) => {
        res.statusCode = req.url === "/broken" ? 503 : 204;
        res.end();
      });
      await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it("tests http, sqlite and unknown types", async () => {
      await baton(["connections", "add", "web", "--uri", `http://127.0.0.1:${port}/`], env);
      await baton(["connections", "add", "web_broken", "--uri", `http://127.0.0.1:${port}/broken`], env);
      const dbFile = join(root, "data.db");
      writeFileSync(dbFile, "");
      await baton(["connections", "add", "lite", "--uri", `sqlite://${dbFile}`], env);
      await baton(["connections", "add", "queue", "--uri", "amqp://guest:guest@localhost:5672/"], env);
      expect((await baton(["connections", "test", "web"], env)).code).toBe(0);
      expect((await baton(["connections", "test", "web_broken"], env)).code).toBe(1);
      expect((await baton(["connections", "test", "lite"], env)).code).toBe(0);
      const unknown = await baton(["connections", "test", "queue"], env);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain("no test for type amqp");
    });

    it("rejects bad input with exit 2 and never echoes the URI", async () => {
      const bad = await baton(["connections", "add", "x", "--uri", "postgres://u:topsecretpw@h:99999/db"], env);
      expect(bad.code).toBe(2);
      expect(bad.stderr).not.toContain("topsecretpw");
      expect((await baton(["connections", "add", "x", "--uri", "a://", "--type", "http"], env)).code).toBe(2);
      expect((await baton(["connections", "add", "x"], env)).code).toBe(2);
      expect((await baton(["connections", "delete", "nope"], env)).code).toBe(2);
    });

    it("an environment BATON_CONN_<ID> overrides the store", async () => {
      await baton(["connections", "add", "wh", "--uri", "postgres://a:storepw1@stored-host/db"], env);
      const r = await baton(["connections", "get", "wh", "--json"], { ...env, BATON_CONN_WH: "mysql://b:envpw123@env-host:3306/x" });
      expect(batonJson<ConnView>(r)).toMatchObject({ type: "mysql", host: "env-host", source: "env BATON_CONN_WH" });
      expect(r.stdout).not.toContain("envpw123");
    });

    it("variables: set, get (masked when secret), list, delete", async () => {
      expect((await baton(["variables", "set", "api_token", "tok-val-9876", "--description", "d"], env)).code).toBe(0);
      expect((await baton(["variables", "set", "endpoint", "https://example.com"], env)).code).toBe(0);
      expect((await baton(["variables", "get", "api_token"], env)).stdout).toBe("***\n");
      expect((await baton(["variables", "get", "api_token", "--reveal"], env)).stdout).toBe("tok-val-9876\n");
      expect((await baton(["variables", "get", "endpoint"], env)).stdout).toBe("https://example.com\n");
      const list = batonJson<{ key: string; value: string }[]>(await baton(["variables", "list", "--json"], env));
      expect(list.map((v) => [v.key, v.value])).toEqual([
        ["api_token", "***"],
        ["endpoint", "https://example.com"],
      ]);
      expect((await baton(["variables", "get", "endpoint"], { ...env, BATON_VAR_ENDPOINT: "from-env" })).stdout).toBe("from-env\n");
      expect((await baton(["variables", "delete", "endpoint"], env)).code).toBe(0);
      expect((await baton(["variables", "get", "endpoint"], env)).code).toBe(2);
    });

    it("a task reads a variable and a connection through ctx; its log shows *** instead of the values", async () => {
      writeFileSync(
        join(dags, "uses_secrets.ts"),
        `import { dag } from "baton";
export default dag({ id: "uses_secrets" }, (d) => {
  d.task("call", async (ctx) => {
    const token = await ctx.variable("api_token");
    const wh = await ctx.connection("wh");
    ctx.log.info("calling with " + token);
    console.log("db password " + wh.password);
    return token.length;
  });
});
`,
      );
      await baton(["variables", "set", "api_token", "tok-val-9876"], env);
      const withConn = { ...env, BATON_CONN_WH: `postgres://u:${PASSWORD}@h/db` };
      const r = await baton(["tasks", "test", "uses_secrets", "call", "--json"], withConn);
      expect(r.code, r.stderr).toBe(0);
      const out = batonJson<{ state: string; returnValue: number; log: string }>(r);
      expect(out).toMatchObject({ state: "success", returnValue: 12 });
      expect(out.log).toContain("calling with ***");
      expect(out.log).toContain("db password ***");
      expect(r.stdout).not.toContain("tok-val-9876");
      expect(r.stdout).not.toContain(PASSWORD);

      const dagTest = await baton(["dags", "test", "uses_secrets"], withConn);
      expect(dagTest.code, dagTest.stderr).toBe(0);
      expect(dagTest.stdout).not.toContain("tok-val-9876");
      const logs = join(root, "home", "test-logs");
      const files = readdirSync(logs, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
      const text = files.map((f) => readFileSync(join(f.parentPath, f.name), "utf8")).join("\n");
      expect(text).toContain("calling with ***");
      expect(text).not.toContain("tok-val-9876");
      expect(text).not.toContain(PASSWORD);
    });

    it("standalone: a task in a worker process gets its secrets over IPC; the attempt log shows ***", async () => {
      writeFileSync(
        join(dags, "worker_secrets.ts"),
        `import { dag } from "baton";
export default dag({ id: "worker_secrets" }, (d) => {
  d.task("call", async (ctx) => {
    const token = await ctx.variable("api_token");
    const wh = await ctx.connection("wh");
    ctx.log.info("calling with " + token);
    process.stdout.write("db password " + wh.password + "\\n");
    return wh.host;
  });
});
`,
      );
      await baton(["variables", "set", "api_token", "tok-val-9876"], env);
      await baton(["connections", "add", "wh", "--uri", `postgres://u:${PASSWORD}@stored-host/db`], env);
      const senv = { ...env, BATON_POLL_MS: "100", BATON_WORKERS: "1" };
      const s = await startStandalone(senv);
      try {
        const trig = batonJson<{ runId: string }>(await baton(["dags", "trigger", "worker_secrets", "--json"], senv));
        const state = await poll(async () => {
          const runs = batonJson<{ runId: string; state: string }[]>(await baton(["runs", "list", "--dag", "worker_secrets", "--json"], senv));
          const run = runs.find((r) => r.runId === trig.runId);
          return run && ["success", "failed"].includes(run.state) ? run.state : undefined;
        }, 60_000);
        const logs = await baton(["tasks", "logs", "worker_secrets", trig.runId, "call"], senv);
        expect(state, logs.stdout).toBe("success");
        expect(logs.stdout).toContain("calling with ***");
        expect(logs.stdout).toContain("db password ***");
        expect(logs.stdout).not.toContain("tok-val-9876");
        expect(logs.stdout).not.toContain(PASSWORD);
      } finally {
        s.proc.kill("SIGTERM");
        await waitExit(s.proc);
      }
    });

    it("a task without the variable fails with an error naming where Baton looked", async () => {
      writeFileSync(
        join(dags, "missing.ts"),
        `import { dag } from "baton";\nexport default dag({ id: "missing" }, (d) => { d.task("t", async (ctx) => ctx.variable("nope")); });\n`,
      );
      const r = await baton(["tasks", "test", "missing", "t", "--json"], env);
      expect(r.code).toBe(1);
      expect(batonJson<{ error: string }>(r).error).toContain("BATON_VAR_NOPE");
    });
  });
});
