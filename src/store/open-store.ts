import type { FullStore } from "./full-store.js";
import type { StoreOptions } from "./kysely-store.js";
import { openSqliteStore } from "./sqlite/open-sqlite-store.js";

/**
 * Opens the store named by `BATON_DATABASE_URL`-style text: `postgres://…` or `postgresql://…`
 * selects PostgreSQL; anything else is a SQLite file path, optionally prefixed `sqlite:`
 * (`sqlite:relative.db`, `sqlite:///absolute/path.db`).
 *
 * @example
 * const store = await openStore("postgresql://baton@127.0.0.1:5432/baton");
 * const local = await openStore(".baton/baton.db");
 */
export async function openStore(urlOrPath: string, options: StoreOptions = {}): Promise<FullStore> {
  // PostgreSQL's modules (and the pg driver) load only for a PostgreSQL URL (issue 13: start fast).
  if (/^postgres(ql)?:\/\//i.test(urlOrPath)) return (await import("./postgres/open-postgres-store.js")).openPostgresStore(urlOrPath, options);
  return openSqliteStore(sqlitePath(urlOrPath), options);
}

/** The file path of a SQLite location given as a path or a `sqlite:` URL. */
export function sqlitePath(urlOrPath: string): string {
  const m = /^sqlite:(\/\/)?/i.exec(urlOrPath);
  return m ? urlOrPath.slice(m[0].length) : urlOrPath;
}
