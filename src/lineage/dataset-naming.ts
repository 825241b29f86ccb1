import type { Connection } from "../core/model/connection.js";

/** A dataset as OpenLineage names it: the datasource (namespace) and the dataset within it. */
export interface DatasetName {
  namespace: string;
  name: string;
}

const DEFAULT_PORTS: Record<string, number> = {
  postgres: 5432,
  mysql: 3306,
  kafka: 9092,
  amqp: 5672,
  amqps: 5671,
  nats: 4222,
  redis: 6379,
  rediss: 6379,
  mqtt: 1883,
  mqtts: 8883,
};
const SCHEME_ALIASES: Record<string, string> = { postgresql: "postgres", mariadb: "mysql" };

/**
 * A dataset URI (a task's inlets/outlets, an object URL) named per the OpenLineage naming
 * spec: namespace = `scheme://authority`, name = the path. `file:///p` → (`file`, `/p`);
 * `s3://bucket/key` → (`s3://bucket`, `key`); `postgres://host:port/db/schema/table` →
 * (`postgres://host:port`, `db.schema.table`); `kafka://host:port/topic` → (`kafka://host:port`,
 * `topic`); anything else → (`scheme://authority`, path without its leading "/", or "/" when empty).
 *
 * @example datasetFromUri("s3://raw/events/2026-01-01.json") // { namespace: "s3://raw", name: "events/2026-01-01.json" }
 */
export function datasetFromUri(uri: string): DatasetName {
  const m = /^([a-z][a-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)/i.exec(uri);
  if (m === null) return { namespace: "default", name: uri };
  const scheme = normalizeScheme(m[1]!);
  const authority = m[2]!.replace(/^[^@]*@/, ""); // never credentials in a namespace
  const path = decodeURIComponent(m[3] ?? "");
  if (scheme === "file")
    return authority === "" || authority === "localhost" ? { namespace: "file", name: path || "/" } : { namespace: `file://${authority}`, name: path || "/" };
  const rest = path.replace(/^\/+/, "");
  if (scheme === "postgres" || scheme === "mysql") {
    return {
      namespace: `${scheme}://${withPort(authority, scheme)}`,
      name:
        rest
          .split("/")
          .filter((s) => s !== "")
          .join(".") || "/",
    };
  }
  if (scheme === "kafka") return { namespace: `kafka://${withPort(authority, scheme)}`, name: rest || "/" };
  return { namespace: `${scheme}://${authority}`, name: rest || "/" };
}

/**
 * The namespace of the datasource a connection points at, without credentials: databases and
 * brokers as `scheme://host:port` (default ports filled in), SQLite and DuckDB as
 * `sqlite://<path>` / `duckdb://<path>`.
 */
export function connectionNamespace(conn: Connection): string {
  const scheme = normalizeScheme(conn.type);
  if (scheme === "sqlite" || scheme === "duckdb") return `${scheme}://${conn.schema ?? conn.host ?? ""}`;
  if (scheme === "kafka" && conn.extra.brokers) {
    const first = conn.extra.brokers.split(",")[0]!.trim();
    return `kafka://${withPort(first, "kafka")}`;
  }
  const port = conn.port ?? DEFAULT_PORTS[scheme];
  return `${scheme}://${conn.host ?? "localhost"}${port === undefined ? "" : `:${port}`}`;
}

/**
 * A SQL table named in a statement, qualified per the naming spec: PostgreSQL
 * `{database}.{schema}.{table}` (schema `public` when not written), MySQL `{database}.{table}`,
 * SQLite/DuckDB the table as written.
 */
export function tableName(conn: Connection, table: string): string {
  const parts = table.split(".").map((p) => p.replace(/^["`[]|["`\]]$/g, ""));
  const scheme = normalizeScheme(conn.type);
  const database = conn.schema ?? "";
  if (scheme === "postgres") {
    if (parts.length >= 3) return parts.join(".");
    const qualified = parts.length === 2 ? parts : ["public", ...parts];
    return [database, ...qualified].filter((p) => p !== "").join(".");
  }
  if (scheme === "mysql") return parts.length >= 2 ? parts.join(".") : [database, ...parts].filter((p) => p !== "").join(".");
  return parts.join(".");
}

/** The SQL dialect of a connection, for SQLJobFacet (postgres, mysql, sqlite, duckdb). */
export function sqlDialect(conn: Connection): string {
  return normalizeScheme(conn.type);
}

function normalizeScheme(scheme: string): string {
  const s = scheme.toLowerCase();
  return SCHEME_ALIASES[s] ?? s;
}

function withPort(authority: string, scheme: string): string {
  const host = authority.replace(/^[^@]*@/, ""); // never a login or password in a namespace
  if (/:\d+$/.test(host) || DEFAULT_PORTS[scheme] === undefined) return host;
  return `${host}:${DEFAULT_PORTS[scheme]}`;
}
