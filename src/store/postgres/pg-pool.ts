import pg from "pg";

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
  return pool;
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
