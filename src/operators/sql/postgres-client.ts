import pg from "pg";
import type { Connection } from "../../core/model/connection.js";
import { jsonRow, type SqlClient } from "./sql-client.js";

/** PostgreSQL via pg. `extra.sslmode` = require/verify-full turns TLS on. */
export async function openPostgres(conn: Connection): Promise<SqlClient> {
  const sslmode = conn.extra.sslmode;
  const client = new pg.Client({
    host: conn.host ?? "127.0.0.1",
    port: conn.port ?? 5432,
    user: conn.login ?? undefined,
    password: conn.password ?? undefined,
    database: conn.schema ?? undefined,
    ssl: sslmode === "require" ? { rejectUnauthorized: false } : sslmode === "verify-full" ? true : undefined,
  });
  await client.connect();
  return {
    dialect: "postgres",
    async query(sql, params) {
      const result = await client.query({ text: sql, values: params ? [...params] : undefined });
      return { rows: (result.rows ?? []).map(jsonRow), fields: (result.fields ?? []).map((f) => ({ name: f.name })) };
    },
    close: () => client.end(),
  };
}
