import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { InvalidInputError } from "../../core/errors.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { TaskRef } from "../../sdk/task-ref.js";
import { declareOperator, type OperatorTaskOptions } from "../shared/declare-operator.js";
import { renderDeep, templateRenderer } from "../shared/render.js";
import { resolveConnection } from "../shared/resolve-connection.js";
import { openSqlClient } from "./open-sql-client.js";
import { writeRows, type OutputFormat } from "./write-rows.js";

export interface SqlQueryOptions extends OperatorTaskOptions {
  /** A connection id (looked up with ctx.connection) or a URI such as "postgres://user@host/db". */
  conn: string;
  /** Statement(s), templates ({{ ds }}…). With a list, each runs in order and the last one's rows are returned. */
  sql?: string | readonly string[];
  /** A file holding one statement (a template), absolute or relative to the worker's working directory. */
  sqlFile?: string;
  /** Values bound to the placeholders of the (last) statement: $1… for postgres/duckdb, ? for mysql/sqlite. String values are templates. */
  params?: readonly unknown[];
  /** Most rows returned in the task's value; more set `truncated: true`. Default 1000. */
  maxRows?: number;
  /** Write every row of the last statement to a file instead, and return its path and count. */
  output?: { path: string; format?: OutputFormat };
}

/** The value of a `sqlQuery` task without `output`. */
export interface SqlQueryRows {
  rows: Record<string, unknown>[];
  rowCount: number;
  truncated: boolean;
}

/** The value of a `sqlQuery` task with `output`. */
export interface SqlQueryFile {
  path: string;
  format: OutputFormat;
  rowCount: number;
}

const OWN_KEYS = ["conn", "sql", "sqlFile", "params", "maxRows", "output"] as const;

/**
 * A task running SQL on a database (postgres, mysql/mariadb, sqlite, duckdb). Its value is the
 * rows of the last statement, at most `maxRows` (`rowCount` counts them all), or, with
 * `output`, the path of the CSV/JSONL file holding every row.
 *
 * @example
 * const sales = sqlQuery(d, "extract", { conn: "warehouse", sql: "select * from sales where day = '{{ ds }}'", retries: 2 });
 * const dump = sqlQuery(d, "dump", { conn: "duckdb:///data/lake.duckdb", sql: "select * from events", output: { path: "/tmp/events-{{ ds }}.csv", format: "csv" } });
 */
export function sqlQuery<P>(d: DagBuilder<P>, id: string, options: SqlQueryOptions & { output: NonNullable<SqlQueryOptions["output"]> }): TaskRef<SqlQueryFile>;
export function sqlQuery<P>(d: DagBuilder<P>, id: string, options: SqlQueryOptions & { output?: undefined }): TaskRef<SqlQueryRows>;
export function sqlQuery<P>(d: DagBuilder<P>, id: string, options: SqlQueryOptions): TaskRef<SqlQueryRows | SqlQueryFile>;
export function sqlQuery<P>(d: DagBuilder<P>, id: string, options: SqlQueryOptions): TaskRef<SqlQueryRows | SqlQueryFile> {
  checkSqlQueryOptions(id, options);
  return declareOperator(
    d,
    "sqlQuery",
    id,
    options,
    OWN_KEYS,
    async (ctx, o): Promise<SqlQueryRows | SqlQueryFile> => {
      const render = templateRenderer(ctx);
      const statements =
        o.sqlFile !== undefined ? [await readFile(resolve(render(o.sqlFile)), "utf8")] : typeof o.sql === "string" ? [o.sql] : [...(o.sql ?? [])];
      const sqls = statements.map(render);
      const params = o.params ? (renderDeep(o.params, render) as unknown[]) : undefined;
      const client = await openSqlClient(await resolveConnection(ctx, o.conn));
      try {
        let result = { rows: [] as Record<string, unknown>[], fields: [] as { name: string }[] };
        for (const [i, sql] of sqls.entries()) {
          ctx.log.info("running SQL", { statement: i + 1, of: sqls.length, sql: sql.length > 2000 ? `${sql.slice(0, 2000)}…` : sql });
          result = await client.query(sql, i === sqls.length - 1 ? params : undefined);
        }
        if (o.output) {
          const path = resolve(render(o.output.path));
          const format = o.output.format ?? "csv";
          const rowCount = await writeRows(result, path, format);
          ctx.log.info("wrote rows", { path, rowCount });
          return { path, format, rowCount };
        }
        const maxRows = o.maxRows ?? 1000;
        return { rows: result.rows.slice(0, maxRows), rowCount: result.rows.length, truncated: result.rows.length > maxRows };
      } finally {
        await client.close();
      }
    },
    (o) => ({
      inputs: [],
      outputs: o.output ? [{ kind: "object", url: o.output.path.includes("://") ? o.output.path : `file://${o.output.path}` }] : [],
      sql: { conn: o.conn, statements: o.sql === undefined ? [] : typeof o.sql === "string" ? [o.sql] : [...o.sql] },
    }),
  );
}

function checkSqlQueryOptions(id: string, o: SqlQueryOptions): void {
  const where = `sqlQuery("${id}")`;
  if (typeof o !== "object" || o === null) throw new InvalidInputError(`${where} needs options { conn, sql }`);
  if (typeof o.conn !== "string" || o.conn === "") throw new InvalidInputError(`${where}: conn must be a connection id or URI`);
  const hasSql = o.sql !== undefined;
  if (hasSql === (o.sqlFile !== undefined)) throw new InvalidInputError(`${where}: give exactly one of sql or sqlFile`);
  if (hasSql && typeof o.sql !== "string" && !(Array.isArray(o.sql) && o.sql.length > 0 && o.sql.every((s) => typeof s === "string"))) {
    throw new InvalidInputError(`${where}: sql must be a string or a non-empty list of strings`);
  }
  if (o.maxRows !== undefined && (!Number.isInteger(o.maxRows) || o.maxRows < 0)) throw new InvalidInputError(`${where}: maxRows must be an integer >= 0`);
  if (o.output !== undefined) {
    if (typeof o.output?.path !== "string") throw new InvalidInputError(`${where}: output needs a path`);
    if (o.output.format !== undefined && o.output.format !== "csv" && o.output.format !== "jsonl") {
      throw new InvalidInputError(`${where}: output.format must be "csv" or "jsonl"`);
    }
    if (o.maxRows !== undefined) throw new InvalidInputError(`${where}: maxRows does not apply with output (every row is written)`);
  }
  if (o.params !== undefined && !Array.isArray(o.params)) throw new InvalidInputError(`${where}: params must be a list`);
}
