import { InvalidInputError } from "../../core/errors.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { TaskRef } from "../../sdk/task-ref.js";
import { renderDeep, templateRenderer } from "../shared/render.js";
import { sensorOperator, type SensorOptions } from "./declare-sensor.js";

export interface SqlSensorOptions extends SensorOptions {
  /** A connection id or URI (postgres, mysql/mariadb, sqlite, duckdb). */
  conn: string;
  /** One statement (a template); done when the first column of its first row is truthy. */
  sql: string;
  /** Values bound to the placeholders: $1… for postgres/duckdb, ? for mysql/sqlite. String values are templates. */
  params?: readonly unknown[];
}

const OWN_KEYS = ["conn", "sql", "params"] as const;

/**
 * A sensor running a query on each poke (a new session each time) until the first column of the
 * first row is truthy: not null, false, 0, "", "0", "f" or "false" (PostgreSQL returns counts as
 * text). Its value is that row.
 *
 * @example
 * const loaded = sqlSensor(d, "partition_loaded", { conn: "warehouse", sql: "select count(*) from sales where day = $1", params: ["{{ ds }}"], pokeInterval: "5m" });
 */
export function sqlSensor<P>(d: DagBuilder<P>, id: string, options: SqlSensorOptions): TaskRef<Record<string, unknown>> {
  const where = `sqlSensor("${id}")`;
  if (typeof options?.conn !== "string" || options.conn === "") throw new InvalidInputError(`${where}: conn must be a connection id or URI`);
  if (typeof options.sql !== "string" || options.sql.trim() === "") throw new InvalidInputError(`${where}: sql must be one statement`);
  if (options.params !== undefined && !Array.isArray(options.params)) throw new InvalidInputError(`${where}: params must be a list`);
  return sensorOperator(d, "sqlSensor", id, options, OWN_KEYS, {
    kind: "sql",
    prepare: (ctx, o) => {
      const render = templateRenderer(ctx);
      return { conn: o.conn, sql: render(o.sql), ...(o.params ? { params: renderDeep(o.params, render) } : {}) };
    },
  }) as TaskRef<Record<string, unknown>>;
}
