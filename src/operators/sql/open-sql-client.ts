import { FailTask } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";
import type { SqlClient, SqlDialect } from "./sql-client.js";
import { loadOptional } from "../../core/optional-module.js";

const ENGINES: Record<string, SqlDialect> = {
  postgres: "postgres",
  postgresql: "postgres",
  mysql: "mysql",
  mariadb: "mysql",
  sqlite: "sqlite",
  duckdb: "duckdb",
};

/** Opens a client for the connection's type; drivers are imported only when used. */
export async function openSqlClient(conn: Connection): Promise<SqlClient> {
  const dialect = ENGINES[conn.type.toLowerCase()];
  switch (dialect) {
    case "postgres":
      return (await import("./postgres-client.js")).openPostgres(conn);
    case "mysql":
      return (await loadOptional("MySQL", ["mysql2"], () => import("./mysql-client.js"))).openMysql(conn);
    case "sqlite":
      return (await import("./sqlite-client.js")).openSqlite(conn);
    case "duckdb":
      return (await loadOptional("DuckDB", ["@duckdb/node-api"], () => import("./duckdb-client.js"))).openDuckdb(conn);
    default:
      throw new FailTask(`connection "${conn.id}" has type "${conn.type}"; SQL operators support: ${Object.keys(ENGINES).join(", ")}`);
  }
}
