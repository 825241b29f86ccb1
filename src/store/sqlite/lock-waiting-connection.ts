import { SelectQueryNode, type CompiledQuery, type DatabaseConnection, type QueryResult, type SqliteDatabase } from "kysely";
import { isLockError, waitForLock, type LockWait } from "./lock-wait.js";

/** A better-sqlite3 handle as the dialect sees it: statements plus whether a transaction is open. */
export type TransactionAwareDatabase = SqliteDatabase & { readonly inTransaction: boolean };

/**
 * Kysely's SQLite connection (same statements, same results) whose statements wait
 * asynchronously for a lock held by another process ({@link waitForLock}). The happy path is
 * unchanged: one synchronous call, no extra await.
 *
 * Trying a failed statement again is safe only in the transaction state it failed in: a BEGIN
 * or an autocommit statement outside any transaction, or a statement inside a transaction that
 * SQLite kept open (it undid just that statement). Were the transaction rolled back by the
 * failure, the error goes to the caller. Write transactions begin with `BEGIN IMMEDIATE`, so the
 * wait happens at BEGIN, before anything was done.
 *
 * It notes when a statement ended a write (a COMMIT, or a write outside any transaction), so
 * that the driver can have the WAL synced once the connection is released ({@link takeUnsynced}).
 */
export class LockWaitingConnection implements DatabaseConnection {
  readonly #db: TransactionAwareDatabase;
  readonly #wait: LockWait;
  #unsynced = false;

  constructor(db: TransactionAwareDatabase, wait: LockWait) {
    this.#db = db;
    this.#wait = wait;
  }

  /** Whether a write ended since the last call (then it must be synced before it is acknowledged). */
  takeUnsynced(): boolean {
    const unsynced = this.#unsynced;
    this.#unsynced = false;
    return unsynced;
  }

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const inTransaction = this.#db.inTransaction;
    try {
      const result = this.#run<R>(query);
      if (this.#wait.tracker.unavailable) this.#wait.tracker.markAvailable();
      return Promise.resolve(this.#noteWrite(query, result));
    } catch (error) {
      const sameState = () => this.#db.inTransaction === inTransaction;
      if (!isLockError(error) || !sameState()) return Promise.reject(error as Error);
      return waitForLock(() => this.#run<R>(query), error, this.#wait, sameState).then((r) => this.#noteWrite(query, r));
    }
  }

  /** A statement that wrote (not a reader, not a ROLLBACK) and left no transaction open ended a write. */
  #noteWrite<R>(query: CompiledQuery, result: QueryResult<R>): QueryResult<R> {
    if (result.numAffectedRows !== undefined && !this.#db.inTransaction && query.sql !== "rollback") this.#unsynced = true;
    return result;
  }

  async *streamQuery<R>(query: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(query.query)) throw new Error("Sqlite driver only supports streaming of select queries");
    for (const row of this.#db.prepare(query.sql).iterate(query.parameters)) yield { rows: [row as R] };
  }

  #run<R>({ sql, parameters }: CompiledQuery): QueryResult<R> {
    const stmt = this.#db.prepare(sql);
    if (stmt.reader) return { rows: stmt.all(parameters) as R[] };
    const { changes, lastInsertRowid } = stmt.run(parameters);
    return {
      numAffectedRows: changes !== undefined && changes !== null ? BigInt(changes) : undefined,
      insertId: lastInsertRowid !== undefined && lastInsertRowid !== null ? BigInt(lastInsertRowid) : undefined,
      rows: [],
    };
  }
}
