import { FailTask } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";

export interface SqlField {
  name: string;
}

export interface SqlResult {
  /** Rows as plain JSON-safe objects (bigint → number or string, dates → ISO text, bytes → base64). */
  rows: Record<string, unknown>[];
  fields: SqlField[];
}

/** One open session with a database; `params` bind to the engine's placeholders ($1 or ?). */
export interface SqlClient {
  /** How identifiers are quoted and values compared in generated SQL. */
  readonly dialect: SqlDialect;
  query(sql: string, params?: readonly unknown[]): Promise<SqlResult>;
  close(): Promise<void>;
}

export type SqlDialect = "postgres" | "mysql" | "sqlite" | "duckdb";

/** The file path of an embedded database connection (sqlite, duckdb): schema, else host. */
export function filePath(conn: Connection): string {
  const path = conn.schema ?? conn.host;
  if (!path) throw new FailTask(`connection "${conn.id}" (${conn.type}) names no database file; e.g. ${conn.type}:///tmp/data.db`);
  return path;
}

/** Makes a driver value JSON-safe, so a task can return it. */
export function jsonValue(value: unknown): unknown {
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString("base64");
  if (Array.isArray(value)) return value.map(jsonValue);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]));
  }
  return value;
}

export function jsonRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = jsonValue(v);
  return out;
}
