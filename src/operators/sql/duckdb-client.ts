import { DuckDBInstance, type DuckDBValue } from "@duckdb/node-api";
import type { Connection } from "../../core/model/connection.js";
import { filePath, jsonRow, type SqlClient } from "./sql-client.js";

/** DuckDB via @duckdb/node-api; the file is the connection's schema (or host), or ":memory:". */
export async function openDuckdb(conn: Connection): Promise<SqlClient> {
  const instance = await DuckDBInstance.create(filePath(conn));
  const connection = await instance.connect();
  return {
    dialect: "duckdb",
    async query(sql, params) {
      const reader = await connection.runAndReadAll(sql, params ? ([...params] as DuckDBValue[]) : undefined);
      const names = reader.columnNames();
      return { rows: reader.getRowObjectsJson().map((r) => jsonRow(r as Record<string, unknown>)), fields: names.map((name) => ({ name })) };
    },
    async close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
