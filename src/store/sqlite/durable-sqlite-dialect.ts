import { CompiledQuery, SqliteAdapter, SqliteDialect, SqliteDriver, type DatabaseConnection, type DialectAdapter, type Driver } from "kysely";
import type { LockWait } from "./lock-wait.js";
import { LockWaitingConnection, type TransactionAwareDatabase } from "./lock-waiting-connection.js";
import type { WalSync } from "./wal-sync.js";

export interface DurableSqliteDialectConfig {
  database: TransactionAwareDatabase;
  /** With it, statements blocked by another process's lock wait asynchronously (see lock-wait.ts). */
  lockWait?: LockWait;
  /**
   * With `lockWait`, for a connection set to `synchronous=NORMAL`: syncs the WAL after each
   * write, off the event loop (see wal-sync.ts). Closed with the dialect's driver.
   */
  walSync?: WalSync;
}

/**
 * Kysely's better-sqlite3 dialect with three corrections for a store shared by processes:
 *
 * - Transactions start with `BEGIN IMMEDIATE`, taking the write lock up front. Kysely's plain
 *   `BEGIN` is deferred: a transaction that reads and then writes while another connection
 *   commits fails with SQLITE_BUSY at once (its snapshot is stale) instead of waiting for the
 *   lock. Every transaction Baton opens writes, so nothing is lost by this; and a transaction
 *   that must wait for the lock waits at BEGIN, before it has done anything.
 * - With `lockWait`, a statement blocked by a lock waits for it off the event loop
 *   ({@link LockWaitingConnection}) instead of inside SQLite's synchronous busy handler.
 * - With `walSync`, a commit resolves once the WAL holding it is synced, and the sync runs off
 *   the event loop instead of inside SQLite's COMMIT.
 * - SQLite's DDL is transactional, so the migrator runs migrations inside one (immediate)
 *   transaction; two processes migrating the same file serialise instead of racing.
 */
export class DurableSqliteDialect extends SqliteDialect {
  readonly #config: DurableSqliteDialectConfig;

  constructor(config: DurableSqliteDialectConfig) {
    super({ database: config.database });
    this.#config = config;
  }

  override createDriver(): Driver {
    return new ImmediateTransactionSqliteDriver(this.#config);
  }

  override createAdapter(): DialectAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

class ImmediateTransactionSqliteDriver extends SqliteDriver {
  readonly #waiting: LockWaitingConnection | undefined;
  readonly #walSync: WalSync | undefined;

  constructor(config: DurableSqliteDialectConfig) {
    super({ database: config.database });
    this.#waiting = config.lockWait ? new LockWaitingConnection(config.database, config.lockWait) : undefined;
    this.#walSync = config.walSync;
  }

  /**
   * Lets the next statement have the connection at once, then — when a write ended on it —
   * waits for the WAL's sync: the caller's promise resolves once its commit is durable, while
   * reads and the next transaction need not wait for the disk.
   */
  override async releaseConnection(): Promise<void> {
    const unsynced = this.#waiting?.takeUnsynced() === true;
    await super.releaseConnection();
    if (unsynced && this.#walSync) await this.#walSync.sync();
  }

  override async destroy(): Promise<void> {
    await this.#walSync?.close();
    await super.destroy();
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    // The base class holds the one connection's mutex; ours runs the statements.
    const connection = await super.acquireConnection();
    return this.#waiting ?? connection;
  }

  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }

  /**
   * After some errors (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM) SQLite has already rolled the
   * transaction back itself; Kysely's ROLLBACK then fails with "no transaction is active", and
   * that error would replace the real one. Kysely rethrows the real one after this returns.
   */
  override async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await connection.executeQuery(CompiledQuery.raw("rollback"));
    } catch (e) {
      if (!(e instanceof Error && /no transaction is active/.test(e.message))) throw e;
    }
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}
