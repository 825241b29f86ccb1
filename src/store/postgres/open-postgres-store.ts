import { Kysely, PostgresDialect } from "kysely";
import { BatonError } from "../../core/errors.js";
import type { StoreCapabilities } from "../../core/ports/store.js";
import { POSTGRES_FEATURES } from "../dialect-features.js";
import type { FullStore } from "../full-store.js";
import { KyselyStore, type StoreOptions } from "../kysely-store.js";
import type { Database } from "../schema/database.js";
import { createPgPool, redactUrl } from "./pg-pool.js";

export const POSTGRES_CAPABILITIES: StoreCapabilities = { skipLocked: true, networked: true };

/**
 * Connects to PostgreSQL at `url` (`postgres://user:pass@host:5432/db`) and migrates the schema.
 *
 * @example
 * const store = await openPostgresStore("postgres://baton@db.internal:5432/baton");
 * try {
 *   console.log(store.capabilities.skipLocked); // true
 * } finally {
 *   await store.close();
 * }
 */
export async function openPostgresStore(url: string, options: StoreOptions = {}): Promise<FullStore> {
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: createPgPool(url) }) });
  const store = new KyselyStore(db, POSTGRES_CAPABILITIES, POSTGRES_FEATURES, options);
  try {
    await store.migrate();
  } catch (e) {
    await store.close();
    throw new BatonError(`Cannot open PostgreSQL store at ${redactUrl(url)}: ${(e as Error).message}`, { cause: e });
  }
  return store;
}
