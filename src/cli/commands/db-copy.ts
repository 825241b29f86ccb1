import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { loadConfig } from "../../config/config.js";
import { BatonError, InvalidInputError } from "../../core/errors.js";
import { ensureSoleScheduler } from "../../scheduler/sole-scheduler.js";
import { copySqliteToPostgres, type CopyResult } from "../../store/copy/copy-sqlite-to-postgres.js";
import { openStore } from "../../store/index.js";
import { sqlitePath } from "../../store/open-store.js";
import { redactUrl } from "../../store/postgres/pg-pool.js";
import { backupSqliteDatabase } from "../../store/sqlite/sqlite-backup.js";
import { EXIT, printJson, printTable } from "../output.js";
import type { CommonOptions } from "../runtime.js";

export interface CopyOptions extends CommonOptions {
  to?: string;
}

/** A scheduler heartbeat younger than this counts as a live scheduler (as `baton db restore` checks). */
const SCHEDULER_FRESH_MS = 15_000;

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/**
 * `baton db copy --to postgres://…`: every table of the SQLite database BATON_HOME /
 * BATON_DATABASE_URL names, copied into an empty PostgreSQL database from a consistent snapshot,
 * then counted on both sides (exit 1 when a count differs). Refuses (exit 2) a target holding
 * data and a source a scheduler is running on.
 */
export async function dbCopy(opts: CopyOptions): Promise<number> {
  const config = loadConfig(opts);
  const to = opts.to;
  if (to === undefined || !POSTGRES_URL.test(to))
    throw new InvalidInputError(`--to must be a PostgreSQL URL (postgres://user@host:5432/db), got ${to === undefined ? "nothing" : `"${to}"`}`);
  if (POSTGRES_URL.test(config.databaseUrl)) {
    throw new BatonError(
      `baton db copy copies from SQLite; BATON_DATABASE_URL already names PostgreSQL (${redactUrl(config.databaseUrl)}): use pg_dump / pg_restore (docs/storage.md)`,
    );
  }
  const source = resolve(sqlitePath(config.databaseUrl));
  if (!existsSync(source)) throw new BatonError(`There is no SQLite database at ${source} to copy (set BATON_HOME or BATON_DATABASE_URL)`);

  const store = await openStore(config.databaseUrl);
  try {
    await ensureSoleScheduler(store, "baton db copy", Date.now(), SCHEDULER_FRESH_MS);
  } catch (e) {
    throw new BatonError(
      `Refusing to copy ${source} while a scheduler runs on it (its runs would go on without the copy): stop Baton first. ${(e as Error).message}`,
      { cause: e },
    );
  } finally {
    await store.close();
  }

  const dir = mkdtempSync(join(tmpdir(), "baton-db-copy-"));
  let result: CopyResult;
  try {
    const snapshot = join(dir, "snapshot.db");
    await backupSqliteDatabase(source, snapshot); // other writers (the API, CLI commands) may go on meanwhile
    await (await openStore(snapshot)).close(); // the snapshot at the latest schema, like the target
    result = await copySqliteToPostgres(snapshot, to, {
      onTable: opts.json || !process.stderr.isTTY ? undefined : (table, rows) => process.stderr.write(`copied ${table}: ${rows} rows\n`),
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const target = redactUrl(to);
  if (opts.json) {
    printJson({ from: source, to: target, matches: result.matches, tables: result.tables, identities: result.identities });
  } else {
    printTable(
      result.tables.map((t) => ({ ...t, check: t.source === t.target ? "ok" : "MISMATCH" })),
      ["table", "source", "target", "check"],
    );
    if (result.matches) {
      const rows = result.tables.reduce((n, t) => n + t.source, 0);
      process.stdout.write(
        `Copied ${rows} rows in ${result.tables.length} tables from ${source} to ${target}; every count matches.\n` +
          `Next: set BATON_DATABASE_URL=${target} (with its password) and the same ${config.secretKey !== null ? "BATON_SECRET_KEY" : `key (${config.secretKeyFile}, or BATON_SECRET_KEY with its contents)`}: connections and variables were copied encrypted.\n` +
          `Task logs stay in ${config.logsDir}: keep that folder where the PostgreSQL deployment reads logs (docs/storage.md, "From laptop to team").\n`,
      );
    }
  }
  if (!result.matches) {
    const off = result.tables.filter((t) => t.source !== t.target).map((t) => `${t.table} (source ${t.source}, target ${t.target})`);
    process.stderr.write(`error: counts differ after the copy: ${off.join(", ")}\n`);
    return EXIT.failed;
  }
  return EXIT.ok;
}
