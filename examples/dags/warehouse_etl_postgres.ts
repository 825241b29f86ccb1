/**
 * warehouse_etl_postgres — a daily batch ETL into PostgreSQL, one data interval per run.
 *
 *                            ┌─ create_tables ─────────────────┐
 *   connections_configured ──┤                                 ├─ load_staging → check_staging (gate)
 *                            └─ extract_orders → validate ─────┘
 *     → upsert_fact → check_fact → publish_summary → report
 *
 * The day's orders land as `<landingDir>/orders_<ds>.csv`. `validate` types each row and checks
 * it against the rules and the run's data interval; rows that fail go to the table
 * `orders_quarantine` with the reason, the rest to `stg_orders`. A quality gate (`sqlCheck`) stops
 * the run before the fact table is touched when the day looks wrong — too many rejected rows,
 * nulls, duplicates. `upsert_fact` merges the day into `fact_orders` with `INSERT … ON CONFLICT`
 * and removes the day's orders that are no longer in the file, so re-running a day converges to
 * the same rows. `publish_summary` upserts one row per day into `daily_order_summary`, the table
 * a report reads.
 *
 * Needs the connection `warehouse_pg` (e.g. `BATON_CONN_WAREHOUSE_PG=postgres://etl@db:5432/dwh`).
 * Without it a scheduled run is skipped with a warning and a manual one fails saying what to set.
 *
 *   BATON_CONN_WAREHOUSE_PG=postgres://postgres@127.0.0.1:5432/test \
 *     npx baton dags test warehouse_etl_postgres --dags examples/dags --date 2026-03-02
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { dag, FailTask, z } from "baton";
import { sqlCheck, sqlQuery } from "baton/operators";
import { connectionsConfigured, inTransaction, withPostgres } from "./_shared/postgres.js";
import { COLUMNS, columnIndexes, landingFile, parseCsv, validateOrder, workFiles, type Order, type RawOrder, type Rejected } from "./_warehouse/orders.js";

const WAREHOUSE = "warehouse_pg";
/** The day's partition in every table, as a SQL literal; `ds` is always YYYY-MM-DD. */
const DAY = "DATE '{{ ds }}'";

const params = z.object({
  /** Folder the daily files land in; relative paths are resolved from the working directory. */
  landingDir: z.string().min(1).default("examples/dags/_warehouse/landing"),
  /** Folder for the working files of each day (what validation kept and rejected). */
  workDir: z
    .string()
    .min(1)
    .default(resolve(process.env["BATON_HOME"] ?? ".baton", "examples", "warehouse")),
  /** The quality gate fails when more than this share of the day's rows was quarantined. */
  maxRejectedRatio: z.number().min(0).max(1).default(0.3),
});

// SQL is declared before dag(): the DAG's callback runs while the file loads.
const DDL = [
  `CREATE TABLE IF NOT EXISTS stg_orders (
     ds date NOT NULL, order_id text NOT NULL, ordered_at timestamptz NOT NULL, customer_id text, product text NOT NULL,
     quantity integer NOT NULL, unit_price numeric(12, 2) NOT NULL, amount numeric(14, 2) NOT NULL, run_id text NOT NULL,
     PRIMARY KEY (ds, order_id))`,
  `CREATE TABLE IF NOT EXISTS orders_quarantine (
     ds date NOT NULL, line integer NOT NULL, order_id text, raw text NOT NULL, reason text NOT NULL, run_id text NOT NULL,
     PRIMARY KEY (ds, line))`,
  `CREATE TABLE IF NOT EXISTS fact_orders (
     order_id text PRIMARY KEY, ds date NOT NULL, ordered_at timestamptz NOT NULL, customer_id text NOT NULL, product text NOT NULL,
     quantity integer NOT NULL CHECK (quantity > 0), unit_price numeric(12, 2) NOT NULL, amount numeric(14, 2) NOT NULL,
     loaded_at timestamptz NOT NULL DEFAULT now(), run_id text NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS fact_orders_ds ON fact_orders (ds)`,
  `CREATE TABLE IF NOT EXISTS daily_order_summary (
     ds date PRIMARY KEY, orders integer NOT NULL, customers integer NOT NULL, units integer NOT NULL,
     revenue numeric(14, 2) NOT NULL, quarantined integer NOT NULL, run_id text NOT NULL, published_at timestamptz NOT NULL)`,
];

const UPSERT_FACT = `
  WITH removed AS (
    DELETE FROM fact_orders f
    WHERE f.ds = $1::date AND NOT EXISTS (SELECT 1 FROM stg_orders s WHERE s.ds = f.ds AND s.order_id = f.order_id)
    RETURNING 1
  ), merged AS (
    INSERT INTO fact_orders (order_id, ds, ordered_at, customer_id, product, quantity, unit_price, amount, run_id)
    SELECT order_id, ds, ordered_at, customer_id, product, quantity, unit_price, amount, $2 FROM stg_orders WHERE ds = $1::date
    ON CONFLICT (order_id) DO UPDATE SET
      ds = excluded.ds, ordered_at = excluded.ordered_at, customer_id = excluded.customer_id, product = excluded.product,
      quantity = excluded.quantity, unit_price = excluded.unit_price, amount = excluded.amount, loaded_at = now(), run_id = excluded.run_id
    WHERE (fact_orders.ds, fact_orders.ordered_at, fact_orders.customer_id, fact_orders.product, fact_orders.quantity, fact_orders.unit_price)
      IS DISTINCT FROM (excluded.ds, excluded.ordered_at, excluded.customer_id, excluded.product, excluded.quantity, excluded.unit_price)
    RETURNING (xmax = 0) AS inserted
  )
  SELECT (SELECT count(*) FROM merged WHERE inserted)::int AS inserted,
         (SELECT count(*) FROM merged WHERE NOT inserted)::int AS updated,
         (SELECT count(*) FROM removed)::int AS removed`;

const PUBLISH_SUMMARY = `
  INSERT INTO daily_order_summary (ds, orders, customers, units, revenue, quarantined, run_id, published_at)
  SELECT $1::date, count(*), count(DISTINCT customer_id), coalesce(sum(quantity), 0), coalesce(sum(amount), 0),
         (SELECT count(*) FROM orders_quarantine WHERE ds = $1::date), $2, now()
  FROM fact_orders WHERE ds = $1::date
  ON CONFLICT (ds) DO UPDATE SET orders = excluded.orders, customers = excluded.customers, units = excluded.units,
    revenue = excluded.revenue, quarantined = excluded.quarantined, run_id = excluded.run_id, published_at = excluded.published_at
  RETURNING ds::text AS ds, orders, customers, units, revenue::text AS revenue, quarantined`;

/** What `validate` hands on: counts and file paths, never the rows. */
interface Validated {
  source: string;
  total: number;
  valid: number;
  rejected: number;
  reasons: Record<string, number>;
  validFile: string;
  rejectedFile: string;
}

export default dag(
  {
    id: "warehouse_etl_postgres",
    description: "Validate the day's orders, quarantine bad rows, upsert into fact_orders, gate on data quality, publish a summary.",
    schedule: "@daily",
    scheduleMode: "interval",
    startDate: "2026-03-01",
    timezone: "UTC",
    catchup: false,
    tags: ["etl", "postgres", "quality", "example"],
    owner: "data-team",
    params,
    // Database hiccups are retried with backoff: 15s, 30s. Quality checks fail at once (no retries).
    defaults: { retries: 2, retryDelay: "15s", retryExponentialBackoff: true, maxRetryDelay: "2m" },
    // Each day is its own partition, so two days may load at once (e.g. during a backfill).
    maxActiveRuns: 2,
    runTimeout: "1h",
  },
  (d) => {
    const ready = d.shortCircuit("connections_configured", (ctx) => connectionsConfigured(ctx, [WAREHOUSE]));

    const createTables = sqlQuery(d, "create_tables", { conn: WAREHOUSE, sql: DDL, after: [ready] });

    const extract = d.task("extract_orders", { after: [ready], retries: 0 }, async (ctx) => {
      const ds = requireDs(ctx);
      const dir = resolve(ctx.params.landingDir);
      const file = landingFile(dir, ds);
      if (!existsSync(file)) {
        const present = existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith(".csv")) : [];
        throw new FailTask(`no file has landed at ${file}; files in ${dir}: ${present.join(", ") || "(none)"}`);
      }
      const bytes = await readFile(file);
      return { file, bytes: bytes.length, sha256: createHash("sha256").update(bytes).digest("hex") };
    });

    const validate = d.task("validate", { inputs: { landed: extract }, retries: 0 }, async (ctx, { landed }): Promise<Validated> => {
      const ds = requireDs(ctx);
      const interval = requireInterval(ctx);
      const [header, ...records] = parseCsv(await readFile(landed.file, "utf8"));
      const index = columnIndexes(header?.cells ?? []);
      if (typeof index === "string") throw new FailTask(`${landed.file}: ${index}`);
      const valid: Order[] = [];
      const rejected: Rejected[] = [];
      const seen = new Set<string>();
      for (const { line, cells, raw } of records) {
        const row = Object.fromEntries(COLUMNS.map((c) => [c, (cells[index[c]] ?? "").trim()])) as RawOrder;
        const result = validateOrder(row, interval, seen);
        if (typeof result === "string") rejected.push({ line, orderId: row.order_id || null, raw, reason: result });
        else valid.push(result);
        seen.add(row.order_id);
      }
      const files = workFiles(resolve(ctx.params.workDir), ds);
      await writeLines(files.valid, valid);
      await writeLines(files.rejected, rejected);
      // Rejections per rule, named by the reason's first word: "missing", "quantity", "duplicate"…
      const reasons: Record<string, number> = {};
      for (const r of rejected) {
        const rule = r.reason.split(" ")[0]!;
        reasons[rule] = (reasons[rule] ?? 0) + 1;
      }
      if (rejected.length > 0) ctx.log.warn("rejected rows", { count: rejected.length, reasons });
      return {
        source: landed.file,
        total: records.length,
        valid: valid.length,
        rejected: rejected.length,
        reasons,
        validFile: files.valid,
        rejectedFile: files.rejected,
      };
    });

    // Replaces the day's staging and quarantine partitions in one transaction: re-runs never stack up.
    const loadStaging = d.task("load_staging", { inputs: { checked: validate }, after: [createTables] }, async (ctx, { checked }) => {
      const ds = requireDs(ctx);
      const valid = await readLines<Order>(checked.validFile);
      const rejected = await readLines<Rejected>(checked.rejectedFile);
      await withPostgres(await ctx.connection(WAREHOUSE), (db) =>
        inTransaction(db, async () => {
          await db.query("DELETE FROM stg_orders WHERE ds = $1::date", [ds]);
          await db.query("DELETE FROM orders_quarantine WHERE ds = $1::date", [ds]);
          await db.query(
            `INSERT INTO stg_orders (ds, order_id, ordered_at, customer_id, product, quantity, unit_price, amount, run_id)
               SELECT $1::date, r."orderId", r."orderedAt", r."customerId", r.product, r.quantity,
                      r."unitPriceCents" / 100.0, r."amountCents" / 100.0, $3
               FROM jsonb_to_recordset($2::jsonb) AS r("orderId" text, "orderedAt" timestamptz, "customerId" text,
                    product text, quantity int, "unitPriceCents" bigint, "amountCents" bigint)`,
            [ds, JSON.stringify(valid), ctx.runId],
          );
          await db.query(
            `INSERT INTO orders_quarantine (ds, line, order_id, raw, reason, run_id)
               SELECT $1::date, r.line, r."orderId", r.raw, r.reason, $3
               FROM jsonb_to_recordset($2::jsonb) AS r(line int, "orderId" text, raw text, reason text)`,
            [ds, JSON.stringify(rejected), ctx.runId],
          );
        }),
      );
      ctx.log.info("staged the day", { ds, staged: valid.length, quarantined: rejected.length });
      return { staged: valid.length, quarantined: rejected.length };
    });

    // The gate: nothing reaches the fact table unless the day's staging looks right.
    const checkStaging = sqlCheck(d, "check_staging", {
      conn: WAREHOUSE,
      after: [loadStaging],
      checks: [
        { name: "the day has staged orders", rowCount: { table: "stg_orders", where: `ds = ${DAY}`, min: 1 } },
        { name: "every order has a customer", nullRatio: { table: "stg_orders", column: "customer_id", where: `ds = ${DAY}`, max: 0 } },
        { name: "order ids are unique", unique: { table: "stg_orders", columns: ["order_id"], where: `ds = ${DAY}` } },
        {
          name: "every order falls in the data interval",
          query: `SELECT count(*) = 0 FROM stg_orders WHERE ds = ${DAY}
                    AND (ordered_at < '{{ data_interval_start }}'::timestamptz OR ordered_at >= '{{ data_interval_end }}'::timestamptz)`,
        },
        {
          name: "quarantined share within params.maxRejectedRatio",
          query: `SELECT q.n <= {{ params.maxRejectedRatio }} * (q.n + s.n)
                  FROM (SELECT count(*) AS n FROM orders_quarantine WHERE ds = ${DAY}) q,
                       (SELECT count(*) AS n FROM stg_orders WHERE ds = ${DAY}) s`,
        },
      ],
    });

    // One statement, so one transaction: remove the day's orders no longer in the file, upsert the
    // rest (rows that did not change are left alone), and count what happened.
    const upsertFact = sqlQuery(d, "upsert_fact", {
      conn: WAREHOUSE,
      after: [checkStaging],
      timeout: "10m",
      sql: UPSERT_FACT,
      params: ["{{ ds }}", "{{ run_id }}"],
    });

    const checkFact = sqlCheck(d, "check_fact", {
      conn: WAREHOUSE,
      after: [upsertFact],
      checks: [
        { name: "order ids are unique", unique: { table: "fact_orders", columns: ["order_id"] } },
        {
          name: "the day matches staging, order by order",
          query: `SELECT count(*) = 0 FROM
                    (SELECT order_id, amount FROM stg_orders WHERE ds = ${DAY}) s
                    FULL JOIN (SELECT order_id, amount FROM fact_orders WHERE ds = ${DAY}) f USING (order_id)
                  WHERE s.amount IS DISTINCT FROM f.amount`,
        },
        { name: "amount = quantity × unit_price", query: `SELECT coalesce(bool_and(amount = quantity * unit_price), true) FROM fact_orders WHERE ds = ${DAY}` },
        {
          name: "volume within 50% of the day before",
          compareWithPrevious: {
            pct: 50,
            sql: `SELECT (SELECT count(*) FROM fact_orders WHERE ds = ${DAY}) AS current,
                         (SELECT nullif(count(*), 0) FROM fact_orders WHERE ds = ${DAY} - 1) AS previous`,
          },
        },
      ],
    });

    const publishSummary = sqlQuery(d, "publish_summary", { conn: WAREHOUSE, after: [checkFact], sql: PUBLISH_SUMMARY, params: ["{{ ds }}", "{{ run_id }}"] });

    d.task("report", { inputs: { checked: validate, merged: upsertFact, summary: publishSummary } }, async (ctx, { checked, merged, summary }) => {
      const row = summary.rows[0] ?? {};
      const counts = merged.rows[0] ?? {};
      const report = {
        ds: requireDs(ctx),
        source: checked.source,
        rows: checked.total,
        quarantined: checked.rejected,
        orders: Number(row["orders"]),
        revenue: String(row["revenue"]),
        inserted: Number(counts["inserted"]),
        updated: Number(counts["updated"]),
        removed: Number(counts["removed"]),
      };
      ctx.log.info("published the day", report);
      return report;
    });
  },
);

function requireDs(ctx: { ds: string | null }): string {
  if (ctx.ds === null) throw new FailTask("warehouse_etl_postgres needs a logical date (ds); trigger it with --date YYYY-MM-DD");
  return ctx.ds;
}

function requireInterval(ctx: { dataInterval: { start: Date | null; end: Date | null } }): { start: Date; end: Date } {
  const { start, end } = ctx.dataInterval;
  if (start === null || end === null) throw new FailTask("warehouse_etl_postgres needs a data interval; trigger it with --date YYYY-MM-DD");
  return { start, end };
}

async function writeLines(path: string, rows: readonly unknown[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
}

async function readLines<T>(path: string): Promise<T[]> {
  const text = await readFile(path, "utf8");
  return text
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as T);
}
