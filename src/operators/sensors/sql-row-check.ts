import { openSqlClient } from "../sql/open-sql-client.js";
import type { SensorCheck } from "./sensor-check.js";

/**
 * args: `{ conn, sql, params? }` (rendered). Done when the first column of the first row is
 * truthy (see {@link isTruthy}); the value is that row. A new session each time.
 */
export const sqlRowCheck: SensorCheck<Record<string, unknown>> = async (args, env) => {
  const client = await openSqlClient(await env.connection(String(args.conn)));
  try {
    const { rows, fields } = await client.query(String(args.sql), args.params as unknown[] | undefined);
    const row = rows[0];
    if (row === undefined) return { done: false, reason: "no rows" };
    const first = fields[0] !== undefined ? row[fields[0].name] : Object.values(row)[0];
    return isTruthy(first) ? { done: true, value: row } : { done: false, reason: `first value ${JSON.stringify(first) ?? "undefined"}` };
  } finally {
    await client.close();
  }
};

/** SQL truthiness across drivers: numbers and numeric text are true unless 0. */
export function isTruthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false) return false;
  if (typeof v === "number") return v !== 0 && !Number.isNaN(v);
  if (typeof v === "string") {
    const t = v.trim().toLowerCase();
    if (t === "" || t === "f" || t === "false") return false;
    return !(Number.isFinite(Number(t)) && Number(t) === 0);
  }
  return true;
}
