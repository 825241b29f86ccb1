export { openStore } from "./open-store.js";
export { openSqliteStore } from "./sqlite/open-sqlite-store.js";
import type { FullStore } from "./full-store.js";
import type { StoreOptions } from "./kysely-store.js";
export type { StoreOptions } from "./kysely-store.js";
export type { FullStore } from "./full-store.js";

/**
 * The PostgreSQL store (src/store/postgres/open-postgres-store.ts); its modules and the pg driver
 * load on the first call, so a process on SQLite never loads them (issue 13: start fast).
 */
export async function openPostgresStore(url: string, options: StoreOptions = {}): Promise<FullStore> {
  return (await import("./postgres/open-postgres-store.js")).openPostgresStore(url, options);
}
