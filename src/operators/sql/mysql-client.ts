import mysql from "mysql2/promise";
import type { Connection } from "../../core/model/connection.js";
import { jsonRow, type SqlClient } from "./sql-client.js";

/** MySQL and MariaDB via mysql2. */
export async function openMysql(conn: Connection): Promise<SqlClient> {
  const client = await mysql.createConnection({
    host: conn.host ?? "127.0.0.1",
    port: conn.port ?? 3306,
    user: conn.login ?? undefined,
    password: conn.password ?? undefined,
    database: conn.schema ?? undefined,
  });
  return {
    dialect: "mysql",
    async query(sql, params) {
      const [rows, fields] = await client.query(sql, params ? [...params] : undefined);
      // Statements without a result set return a header object, not rows.
      if (!Array.isArray(rows)) return { rows: [], fields: [] };
      return {
        rows: (rows as Record<string, unknown>[]).map(jsonRow),
        fields: (fields ?? []).map((f) => ({ name: f.name })),
      };
    },
    close: () => client.end(),
  };
}
