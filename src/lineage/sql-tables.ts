/** Tables a SQL text reads and writes, as written (`sales`, `public.sales`, `"My Table"`). */
export interface SqlTables {
  inputs: string[];
  outputs: string[];
}

const IDENT = String.raw`(?:"[^"]+"|\x60[^\x60]+\x60|\[[^\]]+\]|[A-Za-z_][\w$]*)`;
const NAME = String.raw`(${IDENT}(?:\s*\.\s*${IDENT}){0,2})`;
const WRITES = [
  String.raw`\binsert\s+(?:overwrite\s+)?(?:into\s+)?(?:table\s+)?${NAME}`,
  String.raw`\bupdate\s+(?:only\s+)?${NAME}\s+set\b`,
  String.raw`\bmerge\s+into\s+${NAME}`,
  String.raw`\bdelete\s+from\s+(?:only\s+)?${NAME}`,
  String.raw`\btruncate\s+(?:table\s+)?(?:only\s+)?${NAME}`,
  String.raw`\bcreate\s+(?:or\s+replace\s+)?(?:(?:temp|temporary|unlogged)\s+)?(?:table|view|materialized\s+view)\s+(?:if\s+not\s+exists\s+)?${NAME}`,
  String.raw`\bcopy\s+${NAME}\s*(?:\([^)]*\)\s*)?from\b`,
].map((p) => new RegExp(p, "gi"));
const READS = new RegExp(String.raw`\b(?:from|join|using)\s+(?:only\s+)?${NAME}`, "gi");
const CTE = new RegExp(String.raw`(?:\bwith(?:\s+recursive)?|,)\s*(${IDENT})\s*(?:\([^)]*\)\s*)?as\s*(?:not\s+)?(?:materialized\s*)?\(`, "gi");
const FUNCTION_FROM = /\b(?:extract|substring|substr|trim|position|overlay)\s*\([^()]*$/i;
const NOT_TABLES = new Set([
  "select",
  "lateral",
  "unnest",
  "values",
  "generate_series",
  "json_each",
  "jsonb_each",
  "read_csv",
  "read_parquet",
  "read_json",
  "dual",
  "stdin",
]);

/**
 * A best-effort reading of SQL (no full parser): writes are INSERT/UPDATE/MERGE/DELETE/TRUNCATE/
 * CREATE TABLE|VIEW/COPY … FROM targets, in the order written; reads are FROM/JOIN/USING tables that are neither a CTE
 * nor the target of a DELETE. Comments and string literals are ignored; templates (`{{ … }}`)
 * should be rendered first.
 *
 * @example sqlTables("insert into mart.daily select * from raw.events e join dim.users u using (id)")
 * // { inputs: ["raw.events", "dim.users"], outputs: ["mart.daily"] }
 */
export function sqlTables(sql: string): SqlTables {
  const text = sql
    .replace(/--[^\n]*/g, " ")
    .replace(/\/\*[\s\S]*?\*\//g, " ")
    .replace(/'(?:[^']|'')*'/g, "''")
    .replace(/\{\{[\s\S]*?\}\}/g, "x");
  const writes = WRITES.flatMap((re) => [...text.matchAll(re)]).sort((a, b) => a.index - b.index);
  const outputs = new Set(writes.map((m) => clean(m[1]!)));
  const deleted = new Set(writes.filter((m) => /^\s*delete/i.test(m[0])).map((m) => clean(m[1]!)));
  const ctes = new Set([...text.matchAll(CTE)].map((m) => clean(m[1]!).toLowerCase()));
  const inputs = new Set<string>();
  for (const m of text.matchAll(READS)) {
    const name = clean(m[1]!);
    const lower = name.toLowerCase();
    if (NOT_TABLES.has(lower) || ctes.has(lower) || deleted.has(name)) continue;
    // `extract(epoch from ts)`, `substring(s from 2)`, `trim(both from s)`: a function's FROM, not a table.
    if (FUNCTION_FROM.test(text.slice(Math.max(0, m.index - 80), m.index))) continue;
    inputs.add(name);
  }
  return { inputs: [...inputs], outputs: [...outputs] };
}

function clean(name: string): string {
  return name.replace(/\s*\.\s*/g, ".");
}
