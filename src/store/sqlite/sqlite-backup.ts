import { existsSync, mkdirSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { BatonError } from "../../core/errors.js";
/** How long this file's own connections wait for another process's lock (a CLI command: blocking is fine). */
const WAIT_MS = 5_000;

/** What a Baton database file holds, for the messages of `baton db backup`/`restore`. */
export interface BatonFileSummary {
  bytes: number;
  /** The last migration applied (`0013-remote-workers` …). */
  migration: string;
  runs: number;
  taskInstances: number;
  dags: number;
  connections: number;
  variables: number;
  users: number;
}

/** Every page in one step: the copy is one read transaction, a consistent snapshot (WAL lets writers go on meanwhile). */
const ALL_PAGES = () => 0x7fffffff;

/**
 * Copies the SQLite database at `source` to the new file `destination` with SQLite's online
 * backup API, on a connection of its own: a consistent snapshot taken while other connections
 * (a running scheduler, the API) keep writing. The copy is left as one self-contained file
 * (rollback journal, no `-wal`).
 */
export async function backupSqliteDatabase(source: string, destination: string): Promise<void> {
  if (!existsSync(source)) throw new BatonError(`There is no SQLite database at "${source}" to back up`);
  const db = new BetterSqlite3(source, { fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${WAIT_MS}`);
    await db.backup(destination, { progress: ALL_PAGES });
  } finally {
    db.close();
  }
  const copy = new BetterSqlite3(destination, { fileMustExist: true });
  try {
    copy.pragma("journal_mode = DELETE");
  } finally {
    copy.close();
  }
}

/**
 * Replaces the contents of the SQLite database at `target` (created if missing) with those of
 * `backupFile`, through the backup API, so connections other processes hold on `target` see
 * either the old or the new database, never a half-copied file. The caller checks first that
 * `backupFile` is a Baton database ({@link summarizeBatonFile}) and migrates `target` after.
 */
export async function restoreSqliteDatabase(backupFile: string, target: string): Promise<void> {
  mkdirSync(dirname(resolve(target)), { recursive: true });
  const db = new BetterSqlite3(backupFile, { fileMustExist: true });
  try {
    db.pragma(`busy_timeout = ${WAIT_MS}`);
    await db.backup(target, { progress: ALL_PAGES });
  } finally {
    db.close();
  }
}

/** Size and counts of a Baton database file; a BatonError when the file is not one (no migrations table). */
export function summarizeBatonFile(path: string): BatonFileSummary {
  if (!existsSync(path)) throw new BatonError(`There is no file "${path}"`);
  let db: BetterSqlite3.Database;
  try {
    db = new BetterSqlite3(path, { fileMustExist: true });
  } catch (e) {
    throw new BatonError(`"${path}" is not a SQLite database: ${(e as Error).message}`, { cause: e });
  }
  try {
    db.pragma(`busy_timeout = ${WAIT_MS}`);
    let hasMigrations: boolean;
    try {
      hasMigrations = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'baton_migration'").get() !== undefined;
    } catch (e) {
      throw new BatonError(`"${path}" is not a SQLite database: ${(e as Error).message}`, { cause: e });
    }
    if (!hasMigrations) throw new BatonError(`"${path}" is not a Baton database (it has no baton_migration table)`);
    const count = (table: string): number => {
      const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(table) !== undefined;
      return exists ? (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n : 0;
    };
    const last = db.prepare("SELECT name FROM baton_migration ORDER BY name DESC LIMIT 1").get() as { name: string } | undefined;
    return {
      bytes: statSync(path).size,
      migration: last?.name ?? "(none)",
      runs: count("dag_runs"),
      taskInstances: count("task_instances"),
      dags: count("dags"),
      connections: count("connections"),
      variables: count("variables"),
      users: count("users"),
    };
  } finally {
    db.close();
  }
}
