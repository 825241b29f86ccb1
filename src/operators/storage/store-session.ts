import { FailTask, InvalidInputError } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";
import type { TaskContext } from "../../sdk/context.js";
import { resolveConnection } from "../shared/resolve-connection.js";
import { openObjectStore } from "./open-object-store.js";
import type { ObjectStore } from "./object-store.js";
import type { StoreScheme } from "./object-url.js";

/**
 * The stores one task attempt uses, opened once per (scheme, connection) and closed together.
 * Two locations with the same scheme and connection share a store, which lets transfers
 * between them copy server-side.
 */
export class StoreSession {
  private readonly stores = new Map<string, Promise<ObjectStore>>();

  /** @param connectionOf resolves a connection id (or URI): a task's, or the triggerer's. */
  constructor(private readonly connectionOf: (conn: string) => Promise<Connection>) {}

  open(scheme: StoreScheme, conn: string | undefined): Promise<ObjectStore> {
    const key = `${scheme}\u0000${conn ?? ""}`;
    let store = this.stores.get(key);
    if (store === undefined) {
      store = this.openNew(scheme, conn);
      this.stores.set(key, store);
    }
    return store;
  }

  private async openNew(scheme: StoreScheme, conn: string | undefined): Promise<ObjectStore> {
    const connection = conn === undefined ? null : await this.connectionOf(conn);
    return openObjectStore(scheme, connection);
  }

  async close(): Promise<void> {
    const opened = await Promise.allSettled(this.stores.values());
    this.stores.clear();
    await Promise.allSettled(opened.map((r) => (r.status === "fulfilled" ? r.value.close() : undefined)));
  }
}

/**
 * Runs `use` with a session, always closing it. Invalid input found at run time (a rendered URL
 * that does not parse, a connection of the wrong type) fails the task without retries.
 */
export async function withStores<T>(ctx: TaskContext<unknown>, use: (session: StoreSession) => Promise<T>): Promise<T> {
  const session = new StoreSession((conn) => resolveConnection(ctx, conn));
  try {
    return await use(session);
  } catch (e) {
    if (e instanceof InvalidInputError) throw new FailTask(`task "${ctx.taskId}": ${e.message}`, { cause: e });
    throw e;
  } finally {
    await session.close();
  }
}
