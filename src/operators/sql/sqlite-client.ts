import Database from "better-sqlite3";
import type { Connection } from "../../core/model/connection.js";
import { filePath, jsonRow, type SqlClient } from "./sql-client.js";

/** SQLite via better-sqlite3; the file is the connection's schema (or host). One statement per query. */
export async function openSqlite(conn: Connection): Promise<SqlClient> {
  const db = new Database(filePath(conn));
  return {
    dialect: "sqlite",
    async query(sql, params) {
      const stmt = db.prepare(sql);
      const args = params ? [...params] : [];
      if (!stmt.reader) {
        stmt.run(...args);
        return { rows: [], fields: [] };
      }
      const rows = stmt.all(...args) as Record<string, unknown>[];
      return { rows: rows.map(jsonRow), fields: stmt.columns().map((c) => ({ name: c.name })) };
    },
    async close() {
      db.close();
    },
  };
}
