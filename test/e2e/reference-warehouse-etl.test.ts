// examples/dags/warehouse_etl_postgres.ts run by the real `baton dags test` against a real
// PostgreSQL (a fresh database per test): the rows it loads, its idempotency per ds, and the
// quality gate that stops a bad day before the fact table. Needs `npx tsc -p tsconfig.build.json`.
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it, type TestContext } from "vitest";
import { ROOT } from "./baton-cli.js";
import { dagsTest, freshDatabase, postgresMissing, states, taskError, tempHome } from "./reference-support.js";

const DAG = "warehouse_etl_postgres";
const TASKS = [
  "connections_configured",
  "create_tables",
  "extract_orders",
  "validate",
  "load_staging",
  "check_staging",
  "upsert_fact",
  "check_fact",
  "publish_summary",
  "report",
];
const FIXTURES = join(ROOT, "examples", "dags", "_warehouse", "landing");

let pgDown: string | null = null;
beforeAll(async () => {
  pgDown = await postgresMissing();
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A home and a database for one test, or a skip with the reason printed. */
async function setUp(t: TestContext) {
  if (pgDown) {
    console.warn(`skipping ${DAG} test: ${pgDown}`);
    t.skip();
  }
  const home = await tempHome();
  cleanups.push(home.remove);
  const db = await freshDatabase();
  cleanups.push(db.drop);
  const run = (date: string, opts: { conf?: Record<string, unknown>; expectExit?: 0 | 1 } = {}) =>
    dagsTest(DAG, { home: home.path, date, conns: { warehouse_pg: db.uri }, ...opts });
  return { home: home.path, db, run };
}

interface FactRow {
  order_id: string;
  ds: string;
  amount: string;
  run_id: string;
  loaded_at: Date;
}
const fact = (db: Awaited<ReturnType<typeof freshDatabase>>) =>
  db.query<FactRow>("SELECT order_id, ds::text AS ds, amount::text AS amount, run_id, loaded_at FROM fact_orders ORDER BY order_id");
const ids = (rows: { order_id: string }[]) => rows.map((r) => r.order_id);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `A-${from + i}`);

describe(DAG, () => {
  it("loads each day's valid orders into fact_orders, quarantines the rest with reasons and publishes a summary", async (t) => {
    const { db, run } = await setUp(t);
    for (const ds of ["2026-03-02", "2026-03-03"]) {
      const r = await run(ds);
      expect(r.state).toBe("success");
      expect(states(r)).toEqual(Object.fromEntries(TASKS.map((id) => [id, "success"])));
    }

    const rows = await fact(db);
    expect(rows.filter((r) => r.ds === "2026-03-02").map((r) => r.order_id)).toEqual(range(1001, 1010));
    expect(rows.filter((r) => r.ds === "2026-03-03").map((r) => r.order_id)).toEqual(range(1014, 1021));
    expect(rows.find((r) => r.order_id === "A-1003")?.amount).toBe("64.50"); // a quoted product name with a comma

    const quarantine = await db.query<{ ds: string; line: number; order_id: string; reason: string }>(
      "SELECT ds::text AS ds, line, order_id, reason FROM orders_quarantine ORDER BY ds, line",
    );
    expect(quarantine).toEqual([
      { ds: "2026-03-02", line: 12, order_id: "A-1011", reason: "missing customer_id" },
      { ds: "2026-03-02", line: 13, order_id: "A-1012", reason: 'quantity "-1" is not a positive whole number' },
      {
        ds: "2026-03-02",
        line: 14,
        order_id: "A-1013",
        reason: expect.stringMatching(/^ordered_at 2026-03-01T23:59:58Z is outside the data interval \[2026-03-02T00:00:00\.000Z, 2026-03-03/),
      },
      { ds: "2026-03-03", line: 9, order_id: "A-1020", reason: "duplicate order_id A-1020" },
    ]);

    const summary = await db.query(
      "SELECT ds::text AS ds, orders, customers, units, revenue::text AS revenue, quarantined FROM daily_order_summary ORDER BY ds",
    );
    expect(summary).toEqual([
      { ds: "2026-03-02", orders: 10, customers: 7, units: 19, revenue: "456.90", quarantined: 3 },
      { ds: "2026-03-03", orders: 8, customers: 8, units: 15, revenue: "412.95", quarantined: 1 },
    ]);
  }, 300_000);

  it("re-running a day leaves the same rows; a corrected file updates, adds and removes only what changed", async (t) => {
    const { home, db, run } = await setUp(t);
    await run("2026-03-02");
    await run("2026-03-03");
    const first = await fact(db);
    const snapshot = () =>
      Promise.all([
        db.query("SELECT ds::text, order_id, customer_id, quantity, amount::text FROM stg_orders ORDER BY ds, order_id"),
        db.query("SELECT ds::text, line, order_id, raw, reason FROM orders_quarantine ORDER BY ds, line"),
        db.query("SELECT ds::text, orders, customers, units, revenue::text, quarantined FROM daily_order_summary ORDER BY ds"),
      ]);
    const before = await snapshot();

    // Same file again: nothing in fact_orders is rewritten (same loaded_at and run_id), nothing stacks up.
    const again = await run("2026-03-02");
    expect(again.state).toBe("success");
    expect(await fact(db)).toEqual(first);
    expect(await snapshot()).toEqual(before);

    // A corrected file for 2026-03-02: A-1002 now has 2 units, A-1010 was cancelled, A-1030 is new.
    const landing = join(home, "landing");
    await mkdir(landing, { recursive: true });
    const original = await readFile(join(FIXTURES, "orders_2026-03-02.csv"), "utf8");
    const corrected = original
      .replace("A-1002,2026-03-02T08:41:53Z,C-203,Milk frother,1,39.00", "A-1002,2026-03-02T08:41:53Z,C-203,Milk frother,2,39.00")
      .replace(/^A-1010,.*\n/m, "")
      .concat("A-1030,2026-03-02T23:30:00Z,C-999,Travel mug,1,12.75\n");
    expect(corrected).not.toBe(original);
    await writeFile(join(landing, "orders_2026-03-02.csv"), corrected);
    await copyFile(join(FIXTURES, "orders_2026-03-03.csv"), join(landing, "orders_2026-03-03.csv"));
    const fix = await run("2026-03-02", { conf: { landingDir: landing } });
    expect(fix.state).toBe("success");

    const after = await fact(db);
    expect(ids(after.filter((r) => r.ds === "2026-03-02"))).toEqual([...range(1001, 1009), "A-1030"]);
    expect(after.find((r) => r.order_id === "A-1002")?.amount).toBe("78.00");
    const touched = after.filter((r) => r.run_id !== first.find((f) => f.order_id === r.order_id)?.run_id).map((r) => r.order_id);
    expect(touched).toEqual(["A-1002", "A-1030"]);
    // The other day is untouched.
    expect(after.filter((r) => r.ds === "2026-03-03")).toEqual(first.filter((r) => r.ds === "2026-03-03"));
    const summary = await db.query<{ orders: number; revenue: string }>(
      "SELECT orders, revenue::text AS revenue FROM daily_order_summary WHERE ds = '2026-03-02'",
    );
    expect(summary).toEqual([{ orders: 10, revenue: "469.65" }]);
  }, 300_000);

  it("quality gate: a day with too many bad rows is quarantined and stops before the fact table", async (t) => {
    const { home, db, run } = await setUp(t);
    const landing = join(home, "landing");
    await mkdir(landing, { recursive: true });
    await writeFile(
      join(landing, "orders_2026-03-04.csv"),
      [
        "order_id,ordered_at,customer_id,product,quantity,unit_price",
        "B-1,2026-03-04T09:00:00Z,C-1,Grinder,1,129.00",
        "B-2,2026-03-04T10:00:00Z,C-2,Travel mug,2,12.75",
        "B-3,2026-03-04T11:00:00Z,C-3,Grinder,one,129.00",
        "B-4,2026-03-04T12:00:00Z,C-4,Grinder,1,12.999",
        "B-5,yesterday,C-5,Grinder,1,129.00",
        "B-6,2026-03-04T13:00:00Z,,Grinder,1,129.00",
        "",
      ].join("\n"),
    );
    const r = await run("2026-03-04", { conf: { landingDir: landing }, expectExit: 1 });
    expect(r.state).toBe("failed");
    expect(states(r)).toMatchObject({
      load_staging: "success",
      check_staging: "failed",
      upsert_fact: "upstream_failed",
      check_fact: "upstream_failed",
      publish_summary: "upstream_failed",
      report: "upstream_failed",
    });
    // A failed check does not use retries, and says which check failed and what it measured.
    expect(r.tasks.find((x) => x.taskId === "check_staging")?.attempts).toBe(1);
    expect(taskError(r, "check_staging")).toMatch(/quarantined share within params\.maxRejectedRatio/);

    expect(await db.query("SELECT order_id FROM fact_orders")).toEqual([]);
    expect(await db.query("SELECT order_id FROM stg_orders ORDER BY order_id")).toEqual([{ order_id: "B-1" }, { order_id: "B-2" }]);
    const quarantined = await db.query<{ order_id: string; reason: string }>("SELECT order_id, reason FROM orders_quarantine ORDER BY line");
    expect(quarantined.map((q) => q.order_id)).toEqual(["B-3", "B-4", "B-5", "B-6"]);
    expect(quarantined.map((q) => q.reason)).toEqual([
      'quantity "one" is not a positive whole number',
      'unit_price "12.999" is not an amount such as 12.50',
      'ordered_at "yesterday" is not an ISO date-time with a zone',
      "missing customer_id",
    ]);

    // With a looser gate the same day goes through.
    const loose = await run("2026-03-04", { conf: { landingDir: landing, maxRejectedRatio: 0.8 } });
    expect(loose.state).toBe("success");
    expect(await db.query("SELECT order_id FROM fact_orders ORDER BY order_id")).toEqual([{ order_id: "B-1" }, { order_id: "B-2" }]);
  }, 300_000);
});

describe(`${DAG} without its connection`, () => {
  it("a manual run fails at once, naming the environment variable to set", async () => {
    const home = await tempHome();
    cleanups.push(home.remove);
    const r = await dagsTest(DAG, { home: home.path, date: "2026-03-02", expectExit: 1 });
    expect(states(r)).toMatchObject({ connections_configured: "failed", create_tables: "upstream_failed", report: "upstream_failed" });
    expect(taskError(r, "connections_configured")).toMatch(/warehouse_pg not configured: set BATON_CONN_WAREHOUSE_PG/);
  }, 120_000);
});
