import pg from "pg";
import { preparedStatementName } from "../prepared-statements.js";

const INT8_OID = 20;

/**
 * Type parsers for this pool only (never pg's process-wide `types.setTypeParser`): BIGINT
 * columns (epoch-ms times, surrogate ids, counts) come back as numbers, not strings. Every such
 * value Baton stores is far below 2^53. NUMERIC is not used by the schema.
 */
const batonTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") => {
    if (oid === INT8_OID && format !== "binary") return (value: string) => Number(value);
    return format === "binary" ? pg.types.getTypeParser(oid, "binary") : pg.types.getTypeParser(oid);
  }) as pg.CustomTypesConfig["getTypeParser"],
};

/** A pg Pool for Baton's store. */
export function createPgPool(url: string): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, types: batonTypes, max: 10 });
  // An idle client losing its server emits 'error' on the pool; without a listener Node would
  // crash the process. The next query on a fresh client reports the problem instead.
  pool.on("error", () => {});
  pool.on("connect", sendPreparedByName);
  return pool;
}

/**
 * A registered statement (prepared-statements.ts: the scheduler's group commit) is sent to the
 * server as a named prepared statement: parsed and planned once per connection, then only bound
 * and executed. Everything else goes through unchanged.
 */
function sendPreparedByName(client: pg.PoolClient): void {
  client.query = function (this: pg.PoolClient, ...args: unknown[]): unknown {
    const [text, values] = args;
    const name = args.length === 2 && typeof text === "string" && Array.isArray(values) ? preparedStatementName(text) : undefined;
    const query = pg.Client.prototype.query as (this: pg.PoolClient, ...args: unknown[]) => unknown;
    return name === undefined ? query.apply(this, args) : query.call(this, { name, text, values });
  } as pg.PoolClient["query"];
}

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable database URL)";
  }
}
