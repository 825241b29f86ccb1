import BetterSqlite3 from "better-sqlite3";
import { Kysely, SqliteDialect } from "kysely";
import type pg from "pg";
import { BatonError } from "../../core/errors.js";
import { SQLITE_FEATURES } from "../dialect-features.js";
import { migrateToLatest } from "../migrations/migrate-to-latest.js";
import { openPostgresStore } from "../postgres/open-postgres-store.js";
import { createPgPool, redactUrl } from "../postgres/pg-pool.js";
import type { Database } from "../schema/database.js";
import { listSqliteTables, quoteIdent, type SqliteTable } from "./sqlite-tables.js";

/** Rows per INSERT (fewer when a table is wide: PostgreSQL takes at most 65 535 parameters). */
const BATCH_ROWS = 1_000;
const PG_MAX_PARAMETERS = 65_535;

/** One table's outcome: rows in the source snapshot, rows the target holds after the copy. */
export interface TableCount {
  table: string;
  source: number;
  target: number;
}

export interface CopyResult {
  /** Every table, in the order it was copied (parents before children). */
  tables: TableCount[];
  /** Identity columns whose sequences were moved past the copied ids: the next id each will hand out. */
  identities: { table: string; column: string; next: number }[];
  /** True when every table's counts agree. */
  matches: boolean;
}

export interface CopyOptions {
  /** Called after each table is written (inside the transaction). */
  onTable?: (table: string, rows: number) => void;
}

/**
 * Copies every Baton table of the SQLite database at `sqliteFile` — a snapshot nothing else
 * writes to, migrated to the latest schema — into the PostgreSQL database at `pgUrl`:
 * migrates the target, refuses one that already holds data (rows beyond what the migrations
 * seed, such as `default_pool`), then copies table by table in one transaction (parents
 * before children, keyset pages by rowid, multi-row INSERTs), moves each identity column's
 * sequence past the largest copied id, commits, and counts both sides again.
 * Values are copied as they are: both dialects store times as epoch-ms integers, flags as
 * 0/1 integers and JSON as text, and encrypted connections and variables as the same ciphertext.
 */
export async function copySqliteToPostgres(sqliteFile: string, pgUrl: string, options: CopyOptions = {}): Promise<CopyResult> {
  const target = await openPostgresStore(pgUrl); // migrates the target's schema
  await target.close();
  const source = new BetterSqlite3(sqliteFile, { readonly: true, fileMustExist: true });
  const pool = createPgPool(pgUrl);
  try {
    const tables = listSqliteTables(source);
    const client = await pool.connect();
    try {
      await checkColumns(client, tables);
      const seeds = await seededCounts();
      await refuseHeldData(client, tables, seeds, pgUrl);
      const identities = await copyAll(source, client, tables, seeds, options);
      const counts: TableCount[] = [];
      for (const t of tables) {
        const n = (source.prepare(`SELECT count(*) AS n FROM ${quoteIdent(t.name)}`).get() as { n: number }).n;
        counts.push({ table: t.name, source: n, target: await countPg(client, t.name) });
      }
      return { tables: counts, identities, matches: counts.every((c) => c.source === c.target) };
    } finally {
      client.release();
    }
  } finally {
    source.close();
    await pool.end();
  }
}

/** The target's columns must be the source's: both are at the latest migration of this Baton. */
async function checkColumns(client: pg.PoolClient, tables: SqliteTable[]): Promise<void> {
  const { rows } = await client.query<{ table_name: string; column_name: string }>(
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()",
  );
  for (const t of tables) {
    const have = new Set(rows.filter((r) => r.table_name === t.name).map((r) => r.column_name));
    if (have.size === 0) throw new BatonError(`The PostgreSQL database has no table "${t.name}" after migrating; is the source from a newer Baton?`);
    const missing = t.columns.filter((c) => !have.has(c));
    if (missing.length > 0)
      throw new BatonError(`The PostgreSQL table "${t.name}" lacks the source's columns ${missing.join(", ")}; is the source from a newer Baton?`);
  }
}

/** Rows a freshly migrated database holds per table (`pools`: `default_pool`), from an in-memory SQLite. */
async function seededCounts(): Promise<Map<string, number>> {
  const mem = new BetterSqlite3(":memory:");
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: mem }) });
  try {
    await migrateToLatest(db, SQLITE_FEATURES);
    const seeds = new Map<string, number>();
    for (const t of listSqliteTables(mem)) {
      const n = (mem.prepare(`SELECT count(*) AS n FROM ${quoteIdent(t.name)}`).get() as { n: number }).n;
      if (n > 0) seeds.set(t.name, n);
    }
    return seeds;
  } finally {
    await db.destroy();
  }
}

async function countPg(client: pg.PoolClient, table: string): Promise<number> {
  const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${quoteIdent(table)}`);
  return Number(rows[0]?.n ?? 0);
}

async function refuseHeldData(client: pg.PoolClient, tables: SqliteTable[], seeds: Map<string, number>, pgUrl: string): Promise<void> {
  const held: string[] = [];
  for (const t of tables) {
    const n = await countPg(client, t.name);
    if (n > (seeds.get(t.name) ?? 0)) held.push(`${t.name} (${n})`);
  }
  if (held.length > 0) {
    throw new BatonError(
      `${redactUrl(pgUrl)} already holds Baton data: ${held.join(", ")}. baton db copy fills an empty database only; ` +
        "create a new one (createdb baton) or empty this one, then copy again",
    );
  }
}

async function copyAll(
  source: BetterSqlite3.Database,
  client: pg.PoolClient,
  tables: SqliteTable[],
  seeds: Map<string, number>,
  options: CopyOptions,
): Promise<CopyResult["identities"]> {
  await client.query("BEGIN");
  try {
    // The migrations' seed rows (default_pool) make way for the source's own.
    for (const t of [...tables].reverse()) if (seeds.has(t.name)) await client.query(`DELETE FROM ${quoteIdent(t.name)}`);
    for (const t of tables) {
      const rows = await copyTable(source, client, t);
      options.onTable?.(t.name, rows);
    }
    const identities = await resetIdentities(client);
    await client.query("COMMIT");
    return identities;
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    throw e;
  }
}

/** Keyset pages by rowid (every table Kysely creates has one), each written with one INSERT. */
async function copyTable(source: BetterSqlite3.Database, client: pg.PoolClient, t: SqliteTable): Promise<number> {
  const cols = t.columns.map(quoteIdent).join(", ");
  const pageRows = Math.max(1, Math.min(BATCH_ROWS, Math.floor(PG_MAX_PARAMETERS / t.columns.length)));
  const page = source.prepare(`SELECT rowid AS "__baton_rowid", ${cols} FROM ${quoteIdent(t.name)} WHERE rowid > ? ORDER BY rowid LIMIT ${pageRows}`);
  let after = Number.MIN_SAFE_INTEGER;
  let copied = 0;
  for (;;) {
    const rows = page.all(after) as Record<string, unknown>[];
    if (rows.length === 0) return copied;
    const params: unknown[] = [];
    const tuples = rows.map((row) => {
      const marks = t.columns.map((c) => {
        params.push(pgValue(row[c], t.name, c));
        return `$${params.length}`;
      });
      return `(${marks.join(", ")})`;
    });
    try {
      await client.query(`INSERT INTO ${quoteIdent(t.name)} (${cols}) VALUES ${tuples.join(", ")}`, params);
    } catch (e) {
      throw new BatonError(`Copying table "${t.name}" failed (the ${rows.length} rows after the first ${copied}): ${(e as Error).message}`, { cause: e });
    }
    copied += rows.length;
    after = rows[rows.length - 1]!.__baton_rowid as number;
  }
}

/** SQLite's dynamic values as pg parameters; a blob has no place in Baton's schema. */
function pgValue(v: unknown, table: string, column: string): unknown {
  if (v === null || v === undefined || typeof v === "number" || typeof v === "string" || typeof v === "bigint") return v ?? null;
  throw new BatonError(`Table "${table}", column "${column}" holds a ${Buffer.isBuffer(v) ? "blob" : typeof v}, which Baton's schema never stores`);
}

/** Moves every identity column's sequence past the largest id copied, so new rows get fresh ids. */
async function resetIdentities(client: pg.PoolClient): Promise<CopyResult["identities"]> {
  const { rows } = await client.query<{ table_name: string; column_name: string }>(
    "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES' ORDER BY table_name",
  );
  const out: CopyResult["identities"] = [];
  for (const { table_name: table, column_name: column } of rows) {
    const { rows: next } = await client.query<{ next: string }>(
      `SELECT setval(pg_get_serial_sequence($1, $2), COALESCE(max(${quoteIdent(column)}), 0) + 1, false) AS next FROM ${quoteIdent(table)}`,
      [quoteIdent(table), column],
    );
    out.push({ table, column, next: Number(next[0]?.next ?? 1) });
  }
  return out;
}
