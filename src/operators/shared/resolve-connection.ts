import { BatonError, FailTask } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";
import { parseConnectionUri } from "../../core/secrets/connection-uri.js";
import type { TaskContext } from "../../sdk/context.js";

/**
 * The connection an operator's `conn` names: a URI (anything containing "://", Airflow's format,
 * e.g. "postgres://etl@db:5432/analytics" or "sqlite:///data/a.db") is parsed as is; anything else
 * is a connection id looked up with `ctx.connection(id)`. A bad URI fails the task without retries.
 */
export async function resolveConnection(ctx: TaskContext<unknown>, conn: string): Promise<Connection> {
  if (typeof conn !== "string" || conn.trim() === "") throw new FailTask(`task "${ctx.taskId}": conn must be a connection id or a URI`);
  if (conn.includes("://")) {
    try {
      return parseConnectionUri("(uri)", conn);
    } catch (e) {
      throw new FailTask(`task "${ctx.taskId}": ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }
  const lookup = (ctx as { connection?: unknown }).connection;
  if (typeof lookup !== "function") {
    throw new FailTask(
      `task "${ctx.taskId}": conn "${conn}" is a connection id, but this Baton version gives tasks no ctx.connection(); ` +
        `pass a URI instead (e.g. "postgres://user@host:5432/db")`,
    );
  }
  try {
    return await (lookup as (id: string) => Promise<Connection>).call(ctx, conn);
  } catch (e) {
    const message = `task "${ctx.taskId}": connection "${conn}": ${e instanceof Error ? e.message : String(e)}`;
    throw FailTask.is(e) ? new FailTask(message, { cause: e }) : new BatonError(message, { cause: e });
  }
}
