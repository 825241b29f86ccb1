import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import mysql from "mysql2/promise";
import { baton, batonJson, BIN } from "../../../test/e2e/baton-cli.js";
import { reachable } from "../../../test/support/reachable.js";

// The real binary runs DAG files importing "baton" and "baton/operators" (needs `npm run build`).
interface DagTestJson {
  state: string;
  tasks: { taskId: string; state: string; error?: string }[];
}

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), "baton-sql-ops-"));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function runDag(name: string, source: string): Promise<{ out: DagTestJson; recorded: Record<string, any> | null }> {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.ts`), source);
  const r = await baton(["dags", "test", name, "--dags", dir, "--home", join(dir, "home"), "--json", "--date", "2026-01-02"]);
  const recordFile = join(dir, "recorded.json");
  return { out: batonJson<DagTestJson>(r), recorded: existsSync(recordFile) ? JSON.parse(readFileSync(recordFile, "utf8")) : null };
}

/** One DAG per engine: load rows, query them (bounded and to a file), check them three ways. */
function engineDag(name: string, conn: string, table: string, quarantine: string, dir: string): string {
  const t = JSON.stringify;
  return `import { dag } from "baton";
import { sqlQuery, sqlCheck } from "baton/operators";
import { writeFileSync } from "node:fs";
export default dag({ id: ${t(name)} }, (d) => {
  const conn = ${t(conn)};
  const setup = sqlQuery(d, "setup", { conn, sql: [
    "drop table if exists ${quarantine}",
    "drop table if exists ${table}",
    "create table ${table} (id integer, day varchar(10), amount double precision)",
    "insert into ${table} values (1, '{{ ds }}', 10), (2, '{{ ds }}', 20), (2, '{{ ds }}', 20), (3, '{{ ds }}', null), (4, '{{ ds }}', 5), (5, '2000-01-01', 1)",
  ] });
  const rows = sqlQuery(d, "extract", { conn, sql: "select id, amount from ${table} where day = '{{ ds }}' order by id, amount", maxRows: 3, retries: 0 });
  const file = sqlQuery(d, "dump", { conn, sql: "select id, day from ${table} where day = '{{ ds }}' order by id", output: { path: ${t(join(dir, "out-{{ ds_nodash }}.csv"))}, format: "csv" } });
  const ok = sqlCheck(d, "check_ok", { conn, checks: [
    { rowCount: { table: ${t(table)}, where: "day = '{{ ds }}'", min: 1, max: 5 } },
    { nullRatio: { table: ${t(table)}, column: "amount", where: "day = '{{ ds }}'", max: 0.5 } },
    { unique: { table: ${t(table)}, columns: ["id", "day"], where: "id <> 2" } },
    { name: "no negatives", query: "select count(*) = 0 from ${table} where amount < 0" },
    { compareWithPrevious: { sql: "select 104 as current, 100 as previous", pct: 5 } },
  ] });
  const quarantined = sqlCheck(d, "check_quarantine", { conn, checks: [
    { unique: { table: ${t(table)}, columns: ["id"], where: "day = '{{ ds }}'" } },
    { nullRatio: { table: ${t(table)}, column: "amount", max: 0 } },
  ], onFailure: { quarantine: { table: ${t(quarantine)} } } });
  const qrows = sqlQuery(d, "read_quarantine", { conn, sql: "select id from ${quarantine} order by id" });
  const record = d.task("record", { inputs: { rows, file, ok, quarantined, qrows } }, (ctx, v) => {
    writeFileSync(${t(join(dir, "recorded.json"))}, JSON.stringify(v));
  });
  const bad = sqlCheck(d, "check_fail", { conn, checks: [
    { rowCount: { table: ${t(table)}, min: 100 } },
    { unique: { table: ${t(table)}, columns: ["id"] } },
    { rowCount: { table: ${t(table)}, min: 1 } },
  ], retries: 3 });
  setup.then(rows).then(file).then(ok).then(quarantined).then(qrows).then(record).then(bad);
});
`;
}

function expectEngineRun(out: DagTestJson, recorded: Record<string, any> | null, dir: string): void {
  const states = Object.fromEntries(out.tasks.map((x) => [x.taskId, x.state]));
  expect(states).toMatchObject({
    setup: "success",
    extract: "success",
    dump: "success",
    check_ok: "success",
    check_quarantine: "success",
    record: "success",
    check_fail: "failed",
  });
  expect(out.state).toBe("failed");
  const bad = out.tasks.find((x) => x.taskId === "check_fail")!;
  expect(bad.error).toMatch(/2 of 3 data-quality check\(s\) failed/);
  expect(bad.error).toMatch(/rowCount\(.*\): measured 6, expected row count >= 100/);
  expect(bad.error).toMatch(/unique\(.*: id\): measured 1, expected no duplicated keys/);
  expect(out.tasks.find((x) => x.taskId === "check_fail")).toBeDefined();
  expect(recorded).not.toBeNull();
  const v = recorded!;
  expect(v.rows).toEqual({
    rows: [
      { id: 1, amount: 10 },
      { id: 2, amount: 20 },
      { id: 2, amount: 20 },
    ],
    rowCount: 5,
    truncated: true,
  });
  expect(v.file).toEqual({ path: join(dir, "out-20260102.csv"), format: "csv", rowCount: 5 });
  expect(readFileSync(v.file.path, "utf8")).toBe("id,day\n1,2026-01-02\n2,2026-01-02\n2,2026-01-02\n3,2026-01-02\n4,2026-01-02\n");
  expect(v.ok.passed).toBe(5);
  expect(v.ok.checks.map((c: { value: unknown }) => c.value)).toEqual([5, 0.2, 0, true, { current: 104, previous: 100, changePct: 4 }]);
  expect(v.quarantined).toMatchObject({ passed: 0, failed: 2 });
  expect(v.quarantined.checks.map((c: { quarantinedRows: number }) => c.quarantinedRows)).toEqual([2, 1]);
  expect(v.qrows.rows.map((r: { id: number }) => r.id)).toEqual([2, 2, 3]);
}

describe("sqlQuery and sqlCheck through the real binary", () => {
  beforeAll(() => {
    if (!existsSync(join(BIN, "..", "..", "dist", "src", "operators", "index.js"))) throw new Error("run `npm run build` first: dist/src/operators is missing");
  });

  it("sqlite (temp file)", async () => {
    const dir = join(root, "ops_sqlite");
    const { out, recorded } = await runDag("ops_sqlite", engineDag("ops_sqlite", `sqlite://${join(root, "sqlite.db")}`, "sales", "sales_quarantine", dir));
    expectEngineRun(out, recorded, dir);
  });

  it("duckdb (temp file)", async () => {
    const dir = join(root, "ops_duckdb");
    const { out, recorded } = await runDag("ops_duckdb", engineDag("ops_duckdb", `duckdb://${join(root, "duck.duckdb")}`, "sales", "sales_quarantine", dir));
    expectEngineRun(out, recorded, dir);
  });

  it("postgres (127.0.0.1:5432, own schema in database postgres)", async (t) => {
    const why = await reachable(5432);
    if (why) {
      console.warn(`skipping PostgreSQL operator test: ${why}`);
      return t.skip();
    }
    const schema = `baton_ops_${process.pid}`;
    const admin = new pg.Client({ host: "127.0.0.1", port: 5432, user: "postgres", database: "postgres" });
    await admin.connect();
    await admin.query(`create schema if not exists ${schema}`);
    try {
      const dir = join(root, "ops_pg");
      const { out, recorded } = await runDag(
        "ops_pg",
        engineDag("ops_pg", "postgres://postgres@127.0.0.1:5432/postgres", `${schema}.sales`, `${schema}.sales_quarantine`, dir),
      );
      expectEngineRun(out, recorded, dir);
    } finally {
      await admin.query(`drop schema ${schema} cascade`);
      await admin.end();
    }
  });

  it("mariadb (127.0.0.1:3306, database test)", async (t) => {
    const why = await reachable(3306);
    if (why) {
      console.warn(`skipping MariaDB operator test: ${why}`);
      return t.skip();
    }
    const table = `baton_ops_${process.pid}`;
    const dir = join(root, "ops_mysql");
    try {
      const { out, recorded } = await runDag("ops_mysql", engineDag("ops_mysql", "mariadb://root@127.0.0.1:3306/test", table, `${table}_q`, dir));
      expectEngineRun(out, recorded, dir);
    } finally {
      const admin = await mysql.createConnection({ host: "127.0.0.1", port: 3306, user: "root", database: "test" });
      await admin.query(`drop table if exists ${table}, ${table}_q`);
      await admin.end();
    }
  });

  it("sqlFile (a template) with bound params, every row written as JSONL", async () => {
    const dir = join(root, "ops_file");
    mkdirSync(dir, { recursive: true });
    const db = join(dir, "f.db");
    writeFileSync(join(dir, "_q.sql"), "select id, note from notes where day = ? and id > {{ params.min }} order by id");
    const t = JSON.stringify;
    const { out, recorded } = await runDag(
      "ops_file",
      `import { dag, z } from "baton";
import { sqlQuery } from "baton/operators";
import { writeFileSync } from "node:fs";
export default dag({ id: "ops_file", params: z.object({ min: z.number().default(1) }) }, (d) => {
  const conn = ${t(`sqlite://${db}`)};
  const setup = sqlQuery(d, "setup", { conn, sql: ["create table notes (id integer, day text, note text)",
    "insert into notes values (1, '2026-01-02', 'a'), (2, '2026-01-02', 'b,\\"c\\"'), (3, '2026-01-02', null), (4, '2026-01-03', 'd')"] });
  const file = sqlQuery(d, "q", { conn, sqlFile: ${t(join(dir, "_q.sql"))}, params: ["{{ ds }}"], output: { path: ${t(join(dir, "out.jsonl"))}, format: "jsonl" } });
  setup.then(file);
  d.task("record", { inputs: { file } }, (ctx, v) => { writeFileSync(${t(join(dir, "recorded.json"))}, JSON.stringify(v)); });
});
`,
    );
    expect(out.state).toBe("success");
    expect(recorded!.file).toEqual({ path: join(dir, "out.jsonl"), format: "jsonl", rowCount: 2 });
    expect(readFileSync(join(dir, "out.jsonl"), "utf8")).toBe('{"id":2,"note":"b,\\"c\\""}\n{"id":3,"note":null}\n');
  });

  it("a connection id without ctx.connection fails the task with a clear error; declaration errors name the option", async () => {
    const hasLookup = readFileSync(join(BIN, "..", "..", "src", "sdk", "context.ts"), "utf8").includes("connection(");
    const src = `import { dag } from "baton";
import { sqlQuery } from "baton/operators";
export default dag({ id: "ops_conn_id" }, (d) => { sqlQuery(d, "q", { conn: "warehouse", sql: "select 1" }); });
`;
    const { out } = await runDag("ops_conn_id", src);
    expect(out.state).toBe("failed");
    const err = out.tasks[0]!.error ?? "";
    if (hasLookup) expect(err).toMatch(/task "q": connection "warehouse": /);
    else expect(err).toMatch(/conn "warehouse" is a connection id, but this Baton version gives tasks no ctx\.connection\(\)/);

    const dir = join(root, "ops_bad_option");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "bad.ts"),
      `import { dag } from "baton";
import { sqlQuery } from "baton/operators";
export default dag({ id: "ops_bad_option" }, (d) => { sqlQuery(d, "q", { conn: "sqlite:///tmp/x.db", sql: "select 1", retry: 2 } as never); });
`,
    );
    const errors = batonJson<{ message: string }[]>(await baton(["dags", "errors", "--dags", dir, "--home", join(dir, "home"), "--json"]));
    expect(errors[0]?.message).toMatch(/sqlQuery\("q"\): unknown option "retry"; valid options: conn, sql, .*retries/);
  });
});
