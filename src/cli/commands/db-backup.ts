import { existsSync, renameSync, rmSync } from "node:fs";
import { resolve } from "node:path";
import { loadConfig, type BatonConfig } from "../../config/config.js";
import { BatonError } from "../../core/errors.js";
import { ensureSoleScheduler } from "../../scheduler/sole-scheduler.js";
import { openStore } from "../../store/index.js";
import { sqlitePath } from "../../store/open-store.js";
import { backupSqliteDatabase, restoreSqliteDatabase, summarizeBatonFile, type BatonFileSummary } from "../../store/sqlite/sqlite-backup.js";
import { EXIT, printJson } from "../output.js";
import type { CommonOptions } from "../runtime.js";

export interface BackupOptions extends CommonOptions {
  force?: boolean;
}

/** A scheduler heartbeat younger than this counts as a live scheduler (3 × the 5 s heartbeat, as `baton scheduler` checks). */
const SCHEDULER_FRESH_MS = 15_000;

const PG_RECIPE = [
  'PostgreSQL databases are backed up with PostgreSQL\'s own tools (docs/storage.md, "Backup, restore and retention"):',
  '  pg_dump --format=custom --file=baton.dump "$BATON_DATABASE_URL"',
  '  pg_restore --clean --if-exists --no-owner --dbname="$BATON_DATABASE_URL" baton.dump && baton db migrate',
  "Keep BATON_SECRET_KEY with the dump: connections and variables are encrypted with it.",
].join("\n");

function isPostgres(config: BatonConfig): boolean {
  return /^postgres(ql)?:\/\//i.test(config.databaseUrl);
}

function describe(s: BatonFileSummary): string {
  return `${s.bytes.toLocaleString("en-US")} bytes; ${s.runs} runs, ${s.taskInstances} task instances, ${s.dags} DAGs, ${s.connections} connections, ${s.variables} variables, ${s.users} users; schema ${s.migration}`;
}

function keyNote(config: BatonConfig): string {
  return config.secretKey !== null
    ? "Connections and variables are encrypted with BATON_SECRET_KEY: keep the key with the backup."
    : `Connections and variables are encrypted with the key in ${config.secretKeyFile}: keep a copy of it with the backup.`;
}

/** `baton db backup <file>`: an online copy of the SQLite database (the SQLite backup API), safe while Baton runs. */
export async function dbBackup(file: string, opts: BackupOptions): Promise<number> {
  const config = loadConfig(opts);
  if (isPostgres(config)) {
    process.stderr.write(`error: baton db backup copies SQLite databases only.\n${PG_RECIPE}\n`);
    return EXIT.badInput;
  }
  const source = resolve(sqlitePath(config.databaseUrl));
  const destination = resolve(file);
  if (destination === source) throw new BatonError(`The backup file "${file}" is the database itself; name another file`);
  if (existsSync(destination) && !opts.force) throw new BatonError(`"${file}" exists; pass --force to overwrite it`);
  const partial = `${destination}.partial-${process.pid}`;
  rmSync(partial, { force: true });
  try {
    await backupSqliteDatabase(source, partial);
    renameSync(partial, destination);
  } finally {
    rmSync(partial, { force: true });
  }
  const summary = summarizeBatonFile(destination);
  if (opts.json) printJson({ file: destination, ...summary });
  else process.stdout.write(`Backed up ${source} to ${destination}: ${describe(summary)}.\n${keyNote(config)}\n`);
  return EXIT.ok;
}

/**
 * `baton db restore <file>`: replaces the database BATON_HOME / BATON_DATABASE_URL names with a
 * backup, then migrates it. Refuses a file that is not a Baton database, a target that holds
 * data (without `--force`), and a target a scheduler is running on.
 */
export async function dbRestore(file: string, opts: BackupOptions): Promise<number> {
  const config = loadConfig(opts);
  if (isPostgres(config)) {
    process.stderr.write(`error: baton db restore restores SQLite databases only.\n${PG_RECIPE}\n`);
    return EXIT.badInput;
  }
  const backup = resolve(file);
  const incoming = summarizeBatonFile(backup);
  const target = resolve(sqlitePath(config.databaseUrl));
  if (backup === target) throw new BatonError(`"${file}" is the database itself; nothing to restore`);
  if (existsSync(target)) {
    const store = await openStore(config.databaseUrl);
    try {
      await ensureSoleScheduler(store, "baton db restore", Date.now(), SCHEDULER_FRESH_MS);
    } catch (e) {
      throw new BatonError(`Refusing to restore into ${target} while a scheduler runs on it: ${(e as Error).message}`, { cause: e });
    } finally {
      await store.close();
    }
    const current = summarizeBatonFile(target);
    const held = current.runs + current.dags + current.connections + current.variables + current.users;
    if (held > 0 && !opts.force) {
      throw new BatonError(`${target} already holds data (${describe(current)}); pass --force to replace it with the backup`);
    }
  }
  await restoreSqliteDatabase(backup, target);
  const store = await openStore(config.databaseUrl); // brings the restored schema up to date
  await store.close();
  const restored = summarizeBatonFile(target);
  if (opts.json) printJson({ file: target, from: backup, backupMigration: incoming.migration, ...restored });
  else process.stdout.write(`Restored ${backup} into ${target}: ${describe(restored)} (the backup was at ${incoming.migration}).\n${keyNote(config)}\n`);
  return EXIT.ok;
}
