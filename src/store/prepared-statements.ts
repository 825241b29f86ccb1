/**
 * Statement texts that a connection should parse and plan once and then execute by name (a
 * PostgreSQL prepared statement per connection), registered by the queries that send them on
 * every commit. Kysely sends text; the PostgreSQL adapter's pool looks the text up here
 * (postgres/pg-pool.ts). Other engines ignore the registry (SQLite caches its own statements).
 */
const names = new Map<string, string>();

/** Registers `text` under `name` (unique per text) and returns the text. */
export function preparedStatement(name: string, text: string): string {
  const known = names.get(text);
  if (known !== undefined && known !== name) throw new Error(`statement already prepared as ${known}`);
  names.set(text, name);
  return text;
}

/** The name `text` was registered under, if any. */
export function preparedStatementName(text: string): string | undefined {
  return names.get(text);
}
