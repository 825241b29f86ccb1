// Helpers shared by the examples that write to PostgreSQL: open a client from a Baton connection,
// run a transaction, and check that the connections a DAG needs are configured.
// Folders starting with "_" are not scanned for DAGs.
import type { Client } from "pg";
import { FailTask, type Connection, type TaskContext } from "baton";

/**
 * Opens a `pg` client for a connection (type postgres/postgresql), hands it over and always
 * closes it. `pg` is imported here, inside the task, so loading the DAG file stays cheap.
 */
export async function withPostgres<T>(conn: Connection, use: (db: Client) => Promise<T>): Promise<T> {
  if (conn.type !== "postgres" && conn.type !== "postgresql") {
    throw new FailTask(`connection "${conn.id}" has type "${conn.type}"; this task needs postgres or postgresql`);
  }
  const { default: pg } = await import("pg");
  const sslmode = conn.extra["sslmode"];
  const db = new pg.Client({
    host: conn.host ?? "127.0.0.1",
    port: conn.port ?? 5432,
    user: conn.login ?? undefined,
    password: conn.password ?? undefined,
    database: conn.schema ?? undefined,
    ssl: sslmode === "require" ? { rejectUnauthorized: false } : sslmode === "verify-full" ? true : undefined,
  });
  await db.connect();
  try {
    return await use(db);
  } finally {
    await db.end();
  }
}

/** Runs `work` in one transaction: committed if it returns, rolled back if it throws. */
export async function inTransaction<T>(db: Client, work: () => Promise<T>): Promise<T> {
  await db.query("BEGIN");
  try {
    const result = await work();
    await db.query("COMMIT");
    return result;
  } catch (e) {
    await db.query("ROLLBACK").catch(() => undefined);
    throw e;
  }
}

/**
 * The body of a short-circuit that guards a DAG needing external services. When a connection is
 * not configured, a *scheduled* run is skipped with a warning (so `npm start` on a laptop does
 * not fail every few minutes) and any other run fails at once, saying what to set.
 */
export async function connectionsConfigured(ctx: TaskContext<unknown>, ids: readonly string[]): Promise<boolean> {
  const missing: string[] = [];
  for (const id of ids) {
    try {
      await ctx.connection(id);
    } catch {
      missing.push(id);
    }
  }
  if (missing.length === 0) return true;
  const how = missing.map((id) => `BATON_CONN_${id.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`).join(", ");
  const message = `connection(s) ${missing.join(", ")} not configured: set ${how} (a URI) or add them with baton connections add`;
  if (ctx.runType === "scheduled") {
    ctx.log.warn(`${message}; skipping this scheduled run`);
    return false;
  }
  throw new FailTask(message);
}
