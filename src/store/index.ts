export { openStore } from "./open-store.js";
export { openSqliteStore } from "./sqlite/open-sqlite-store.js";
export { openPostgresStore } from "./postgres/open-postgres-store.js";
export type { StoreOptions } from "./kysely-store.js";
export type { FullStore } from "./full-store.js";
