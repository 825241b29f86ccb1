/**
 * sales_etl — a daily batch ETL that runs out of the box, with no external service.
 *
 *   seed_landing → validate → transform → load → quality_check → archive
 *
 * A CSV file per day lands in `<root>/landing/sales_<ds>.csv`. Rows that cannot be trusted go to
 * `<root>/quarantine/sales_<ds>.csv` with a reason; the rest are typed, priced and loaded into the
 * DuckDB file `<root>/warehouse.duckdb`, one `ds` partition at a time, so re-running a day
 * replaces that day and nothing else. Tasks hand each other small summaries and file paths,
 * never the rows themselves.
 *
 * `root` is a param (`--conf '{"root":"/data/sales"}'`); it defaults to
 * `$BATON_HOME/examples/sales` (or `./.baton/examples/sales`).
 */
import { existsSync } from "node:fs";
import { mkdir, readFile, rename } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { dag, FailTask, z } from "baton";
import { COLUMNS, files, parseCsv, sampleCsv, toCsv, writeText, type RawRow } from "./_sales/sales-files.js";

interface SaleRow {
  orderId: string;
  region: string;
  product: string;
  quantity: number;
  unitPrice: number;
  revenue: number;
}

const params = z.object({
  /** Folder holding landing/, quarantine/, staging/, archive/ and warehouse.duckdb. */
  root: z
    .string()
    .min(1)
    .default(resolve(process.env["BATON_HOME"] ?? ".baton", "examples", "sales")),
  /** Write a sample file when none has landed for the day, so the example runs anywhere. */
  sample: z.boolean().default(true),
});

export default dag(
  {
    id: "sales_etl",
    description: "Validate, transform and load the day's sales CSV into DuckDB; quarantine bad rows.",
    schedule: "@daily",
    scheduleMode: "interval",
    startDate: "2026-01-01",
    timezone: "UTC",
    catchup: false,
    tags: ["etl", "duckdb", "example"],
    owner: "data-team",
    params,
    defaults: { retries: 2, retryDelay: "10s" },
    // One run at a time: every run writes to the same DuckDB file.
    maxActiveRuns: 1,
    runTimeout: "30m",
  },
  (d) => {
    const seedLanding = d.task("seed_landing", { retries: 0 }, async (ctx) => {
      const f = files(ctx.params.root, requireDs(ctx));
      if (existsSync(f.landing)) return { file: f.landing, source: "landing" as const };
      // Re-running a day that was already archived replays the archived file.
      if (existsSync(f.archived)) {
        await rename(f.archived, f.landing);
        return { file: f.landing, source: "archive" as const };
      }
      if (!ctx.params.sample) throw new FailTask(`no file has landed at ${f.landing} and params.sample is false`);
      await writeText(f.landing, sampleCsv(requireDs(ctx)));
      ctx.log.info("wrote a sample landing file", { file: f.landing });
      return { file: f.landing, source: "sample" as const };
    });

    const validate = d.task("validate", { inputs: { landed: seedLanding } }, async (ctx, { landed }) => {
      const f = files(ctx.params.root, requireDs(ctx));
      const rows = parseCsv(await readFile(landed.file, "utf8"));
      const valid: RawRow[] = [];
      const quarantined: (RawRow & { reason: string })[] = [];
      const seen = new Set<string>();
      for (const row of rows) {
        const reason = rejectReason(row, seen);
        if (reason) quarantined.push({ ...row, reason });
        else valid.push(row);
        seen.add(row.order_id);
      }
      // Always rewritten, even when empty, so a re-run never leaves a stale quarantine behind.
      await writeText(f.quarantine, toCsv([...COLUMNS, "reason"], quarantined));
      await writeText(f.valid, toCsv(COLUMNS, valid));
      if (quarantined.length > 0) ctx.log.warn("quarantined rows", { count: quarantined.length, file: f.quarantine });
      return { validFile: f.valid, quarantineFile: f.quarantine, total: rows.length, valid: valid.length, quarantined: quarantined.length };
    });

    const transform = d.task("transform", { inputs: { checked: validate } }, async (ctx, { checked }) => {
      const f = files(ctx.params.root, requireDs(ctx));
      const sales = parseCsv(await readFile(checked.validFile, "utf8")).map(toSale);
      const byRegion: Record<string, { orders: number; revenue: number }> = {};
      for (const s of sales) {
        const agg = (byRegion[s.region] ??= { orders: 0, revenue: 0 });
        agg.orders += 1;
        agg.revenue = cents(agg.revenue + s.revenue);
      }
      await writeText(f.staged, sales.map((s) => JSON.stringify(s)).join("\n"));
      return { stagedFile: f.staged, rows: sales.length, revenue: cents(sales.reduce((t, s) => t + s.revenue, 0)), byRegion };
    });

    const load = d.task("load", { inputs: { staged: transform } }, async (ctx, { staged }) => {
      const ds = requireDs(ctx);
      const text = await readFile(staged.stagedFile, "utf8");
      const sales = text === "" ? [] : text.split("\n").map((line) => JSON.parse(line) as SaleRow);
      await withWarehouse(ctx.params.root, async (db) => {
        await db.run(SCHEMA);
        // Idempotent per ds: replace the day's partition in one transaction.
        await db.run("BEGIN TRANSACTION");
        try {
          await db.run("DELETE FROM sales WHERE ds = $ds::DATE", { ds });
          await db.run("DELETE FROM sales_by_region WHERE ds = $ds::DATE", { ds });
          const { dateValue } = await import("@duckdb/node-api");
          const day = dateValue(Date.parse(`${ds}T00:00:00Z`) / 86_400_000);
          const appender = await db.createAppender("sales");
          for (const s of sales) {
            appender.appendValue(day);
            appender.appendVarchar(s.orderId);
            appender.appendVarchar(s.region);
            appender.appendVarchar(s.product);
            appender.appendInteger(s.quantity);
            appender.appendDouble(s.unitPrice);
            appender.appendDouble(s.revenue);
            appender.endRow();
          }
          appender.closeSync(); // flushes
          for (const [region, agg] of Object.entries(staged.byRegion)) {
            await db.run("INSERT INTO sales_by_region VALUES ($ds::DATE, $region, $orders, $revenue)", {
              ds,
              region,
              orders: agg.orders,
              revenue: agg.revenue,
            });
          }
          await db.run("COMMIT");
        } catch (e) {
          await db.run("ROLLBACK");
          throw e;
        }
      });
      ctx.log.info("loaded partition", { ds, rows: sales.length });
      return { rows: sales.length };
    });

    const qualityCheck = d.task(
      "quality_check",
      { inputs: { checked: validate, staged: transform }, after: [load], retries: 0 },
      async (ctx, { checked, staged }) => {
        const ds = requireDs(ctx);
        const found = await withWarehouse(ctx.params.root, async (db) => {
          const reader = await db.runAndReadAll("SELECT count(*)::INTEGER AS n, coalesce(sum(revenue), 0)::DOUBLE AS revenue FROM sales WHERE ds = $ds::DATE", {
            ds,
          });
          const row = reader.getRowObjectsJS()[0];
          return { rows: Number(row?.["n"] ?? 0), revenue: Number(row?.["revenue"] ?? 0) };
        });
        if (found.rows !== checked.valid) {
          throw new FailTask(`warehouse holds ${found.rows} rows for ${ds}, expected ${checked.valid} valid rows`);
        }
        if (cents(found.revenue) !== staged.revenue) {
          throw new FailTask(`warehouse revenue for ${ds} is ${found.revenue}, expected ${staged.revenue}`);
        }
        return found;
      },
    );

    // Free text (a path) reaches the command through env, never spliced into it; ds is always YYYY-MM-DD.
    d.shell("archive", {
      after: [qualityCheck],
      env: { SALES_ROOT: "{{ params.root }}" },
      command: 'mkdir -p "$SALES_ROOT/archive" && mv "$SALES_ROOT/landing/sales_{{ ds }}.csv" "$SALES_ROOT/archive/"',
    });
  },
);

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS sales (
    ds DATE NOT NULL, order_id VARCHAR NOT NULL, region VARCHAR NOT NULL, product VARCHAR NOT NULL,
    quantity INTEGER NOT NULL, unit_price DECIMAL(12, 2) NOT NULL, revenue DECIMAL(14, 2) NOT NULL,
    PRIMARY KEY (ds, order_id)
  );
  CREATE TABLE IF NOT EXISTS sales_by_region (
    ds DATE NOT NULL, region VARCHAR NOT NULL, orders INTEGER NOT NULL, revenue DECIMAL(14, 2) NOT NULL,
    PRIMARY KEY (ds, region)
  );`;

function requireDs(ctx: { ds: string | null }): string {
  if (ctx.ds === null) throw new FailTask("sales_etl needs a logical date (ds); trigger it with a date");
  return ctx.ds;
}

/**
 * Opens the warehouse, hands over a connection and always closes it: DuckDB locks the file.
 * DuckDB is imported here, not at the top of the file, because the DAG file is loaded often just
 * to read its shape; only the tasks that use it pay for loading the native library.
 */
async function withWarehouse<T>(root: string, use: (db: DuckDBConnection) => Promise<T>): Promise<T> {
  const { DuckDBInstance } = await import("@duckdb/node-api");
  const path = join(root, "warehouse.duckdb");
  await mkdir(dirname(path), { recursive: true });
  const instance = await DuckDBInstance.create(path);
  const db = await instance.connect();
  try {
    return await use(db);
  } finally {
    db.closeSync();
    instance.closeSync();
  }
}

/** Why a raw row cannot be loaded, or null when it can. */
function rejectReason(row: RawRow, seen: ReadonlySet<string>): string | null {
  const missing = COLUMNS.filter((c) => row[c].trim() === "");
  if (missing.length > 0) return `missing ${missing.join(" and ")}`;
  if (seen.has(row.order_id)) return "duplicate order_id";
  const quantity = Number(row.quantity);
  if (!Number.isInteger(quantity)) return `quantity ${row.quantity} is not a whole number`;
  if (quantity <= 0) return `quantity ${quantity} is not positive`;
  const price = Number(row.unit_price);
  if (!Number.isFinite(price)) return `unit_price ${row.unit_price} is not a number`;
  if (price < 0) return `unit_price ${price} is negative`;
  return null;
}

function toSale(row: RawRow): SaleRow {
  const quantity = Number(row.quantity);
  const unitPrice = Number(row.unit_price);
  return { orderId: row.order_id, region: row.region, product: row.product, quantity, unitPrice, revenue: cents(quantity * unitPrice) };
}

function cents(n: number): number {
  return Math.round(n * 100) / 100;
}
