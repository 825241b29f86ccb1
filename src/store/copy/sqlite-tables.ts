import type BetterSqlite3 from "better-sqlite3";

/** Kysely's migration bookkeeping: the target has its own, written by its migrate(). */
export const BOOKKEEPING_TABLES: ReadonlySet<string> = new Set(["baton_migration", "baton_migration_lock"]);

/** One table of a SQLite Baton database, as the copy needs it. */
export interface SqliteTable {
  name: string;
  columns: string[];
  /** Tables this one references by foreign key (copied before it). */
  parents: string[];
}

/**
 * Baton's tables in the SQLite database, parents before children (foreign keys), by name
 * otherwise: every table but SQLite's own (`sqlite_%`) and the migrations bookkeeping.
 */
export function listSqliteTables(db: BetterSqlite3.Database): SqliteTable[] {
  const names = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name").all() as { name: string }[]
  )
    .map((r) => r.name)
    .filter((n) => !BOOKKEEPING_TABLES.has(n));
  const tables = names.map((name): SqliteTable => {
    const columns = (db.prepare(`PRAGMA table_info(${quoteIdent(name)})`).all() as { name: string }[]).map((c) => c.name);
    const fks = db.prepare(`PRAGMA foreign_key_list(${quoteIdent(name)})`).all() as { table: string }[];
    return { name, columns, parents: [...new Set(fks.map((f) => f.table))].filter((t) => t !== name) };
  });
  return parentsFirst(tables);
}

/** Kahn's order over the foreign keys; a cycle (none in Baton's schema) keeps the remaining tables by name. */
function parentsFirst(tables: SqliteTable[]): SqliteTable[] {
  const out: SqliteTable[] = [];
  const done = new Set<string>();
  let rest = tables;
  while (rest.length > 0) {
    const ready = rest.filter((t) => t.parents.every((p) => done.has(p) || !tables.some((x) => x.name === p)));
    const next = ready.length > 0 ? ready : rest;
    for (const t of next) {
      out.push(t);
      done.add(t.name);
    }
    rest = rest.filter((t) => !done.has(t.name));
  }
  return out;
}

/** A SQL identifier in double quotes (both dialects). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
