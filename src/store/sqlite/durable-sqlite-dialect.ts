import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  type DatabaseConnection,
  type DialectAdapter,
  type Driver,
  type SqliteDialectConfig,
} from "kysely";

/**
 * Kysely's better-sqlite3 dialect with two corrections for a store shared by processes:
 *
 * - Transactions start with `BEGIN IMMEDIATE`, taking the write lock up front. Kysely's plain
 *   `BEGIN` is deferred: a transaction that reads and then writes while another connection
 *   commits fails with SQLITE_BUSY at once (its snapshot is stale) instead of waiting out
 *   `busy_timeout`. Every transaction Baton opens writes, so nothing is lost by this.
 * - SQLite's DDL is transactional, so the migrator runs migrations inside one (immediate)
 *   transaction; two processes migrating the same file serialise instead of racing.
 */
export class DurableSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
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
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw("begin immediate"));
  }
}

class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}
