import type BetterSqlite3 from "better-sqlite3";
import type { TransactionAwareDatabase } from "./lock-waiting-connection.js";

/**
 * Kysely prepares every query anew; preparing costs as much as running a small statement.
 * The scheduler sends the same few statement shapes over and over, so keep prepared
 * statements by SQL text (least recently used dropped beyond `max`).
 */
export function withStatementCache(sqlite: BetterSqlite3.Database, max = 256): TransactionAwareDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    get inTransaction() {
      return sqlite.inTransaction;
    },
    close: () => {
      cache.clear();
      sqlite.close();
    },
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql);
      } else {
        stmt = sqlite.prepare(sql);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
      }
      cache.set(sql, stmt);
      return stmt as unknown as ReturnType<TransactionAwareDatabase["prepare"]>;
    },
  };
}
