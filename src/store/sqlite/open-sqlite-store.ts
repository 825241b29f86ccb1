import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely } from "kysely";
import { BatonError } from "../../core/errors.js";
import type { ChangeSet, StoreCapabilities } from "../../core/ports/store.js";
import type { NewRun, RunRecord, TaskInstanceRecord } from "../../core/model/records.js";
import type { CommitFence } from "../../core/ports/scheduler-leases.js";
import { SQLITE_FEATURES } from "../dialect-features.js";
import type { FullStore } from "../full-store.js";
import { KyselyStore, type StoreOptions } from "../kysely-store.js";
import type { Database } from "../schema/database.js";
import { systemClock } from "../../core/ports/clock.js";
import { StoreAvailabilityTracker } from "../store-availability-tracker.js";
import { DurableSqliteDialect } from "./durable-sqlite-dialect.js";
import { BUSY_TIMEOUT_MS, DEFAULT_LOCK_WAIT_MS, isLockError, UNAVAILABLE_AFTER_MS, waitForLock, type LockWait } from "./lock-wait.js";
import { withStatementCache } from "./statement-cache.js";
import { WalSync } from "./wal-sync.js";
import { SqliteFastCommit } from "./sqlite-fast-commit.js";

export const SQLITE_CAPABILITIES: StoreCapabilities = { skipLocked: false, networked: false };

const IN_MEMORY = ":memory:";

/** The Kysely store, with the scheduler's commits of task rows and new runs taken by {@link SqliteFastCommit}. */
class SqliteStore extends KyselyStore {
  readonly #fast: SqliteFastCommit;

  readonly #now: () => number;

  constructor(db: Kysely<Database>, fast: SqliteFastCommit, options: StoreOptions, tracker: StoreAvailabilityTracker) {
    super(db, SQLITE_CAPABILITIES, SQLITE_FEATURES, options, tracker);
    this.#fast = fast;
    this.#now = options.now ?? Date.now;
  }

  override createRun(run: NewRun, tis: TaskInstanceRecord[]): Promise<RunRecord | undefined> {
    return this.#fast.tryCreateRun(run, tis, run.createdAt ?? this.#now()) ?? super.createRun(run, tis);
  }

  override commit(changes: ChangeSet, fence?: CommitFence): Promise<void> {
    return this.#fast.tryCommit(changes, fence) ?? super.commit(changes, fence);
  }

  override listTaskInstances(runPk: number): Promise<TaskInstanceRecord[]> {
    try {
      const fast = this.#fast.tryListTaskInstances(runPk);
      return fast === null ? super.listTaskInstances(runPk) : Promise.resolve(fast);
    } catch (e) {
      return Promise.reject(e as Error);
    }
  }
}

/**
 * Opens (creating it and its parent directories if needed) the SQLite database at `path` and
 * migrates it. Durable settings: WAL journal, every commit synced to the disk before it is
 * acknowledged (a commit survives power loss), foreign keys enforced. The sync of a file's WAL
 * runs off the event loop ({@link WalSync}: `synchronous=NORMAL` plus an `fdatasync` of the WAL
 * after each commit, which is what FULL does inside the COMMIT call). A statement that finds the file locked by another process waits for it
 * asynchronously, up to `options.lockWaitMs`, and the store's `availability` says so meanwhile
 * (`lock-wait.ts`); opening a locked file waits the same way.
 *
 * @example
 * const store = await openSqliteStore(".baton/baton.db");
 * try {
 *   console.log(await store.listDags());
 * } finally {
 *   await store.close();
 * }
 */
export async function openSqliteStore(path: string, options: StoreOptions = {}): Promise<FullStore> {
  if (path !== IN_MEMORY) mkdirSync(dirname(resolve(path)), { recursive: true });
  let sqlite: BetterSqlite3.Database;
  try {
    sqlite = new BetterSqlite3(path);
  } catch (e) {
    throw new BatonError(`Cannot open SQLite database "${path}": ${(e as Error).message}`, { cause: e });
  }
  const lockWait: LockWait = {
    path,
    clock: options.clock ?? systemClock,
    tracker: new StoreAvailabilityTracker(),
    timeoutMs: options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS,
    unavailableAfterMs: UNAVAILABLE_AFTER_MS,
  };
  try {
    const configure = () => configureDurableConnection(sqlite, path);
    try {
      configure();
    } catch (e) {
      if (!isLockError(e)) throw e;
      await waitForLock(configure, e, lockWait);
    }
  } catch (e) {
    sqlite.close();
    if (e instanceof BatonError) throw e;
    throw new BatonError(`Cannot use SQLite database "${path}": ${(e as Error).message}`, { cause: e });
  }

  // A file's commits are synced by WalSync, off the event loop; an in-memory database has no WAL.
  const walSync = path === IN_MEMORY || path === "" ? undefined : new WalSync(resolve(path));
  if (walSync) sqlite.pragma("synchronous = NORMAL");
  const db = new Kysely<Database>({ dialect: new DurableSqliteDialect({ database: withStatementCache(sqlite), lockWait, walSync }) });
  const store = new SqliteStore(db, new SqliteFastCommit(sqlite, walSync, lockWait.tracker), options, lockWait.tracker);
  try {
    await store.migrate();
  } catch (e) {
    await store.close();
    throw new BatonError(`Cannot open SQLite store "${path}": ${(e as Error).message}`, { cause: e });
  }
  return store;
}

/**
 * Per-connection settings for a durable, shared store. WAL lets readers run beside the one
 * writer; `synchronous=FULL` syncs the WAL on every commit, so an acknowledged commit survives
 * power loss (NORMAL would only guarantee consistency). SQLite itself waits only
 * {@link BUSY_TIMEOUT_MS} for a lock (synchronously, on the event loop); longer waits are the
 * store's, asynchronous ({@link waitForLock}). Throws SQLITE_BUSY while another process holds
 * the file in exclusive locking mode.
 */
export function configureDurableConnection(sqlite: BetterSqlite3.Database, path: string): void {
  sqlite.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  const mode = sqlite.pragma("journal_mode = WAL", { simple: true });
  if (mode !== "wal" && path !== IN_MEMORY) {
    throw new BatonError(`SQLite database "${path}" refused WAL mode (journal_mode is "${String(mode)}")`);
  }
  sqlite.pragma("synchronous = FULL");
  sqlite.pragma("foreign_keys = ON");
}
