import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { finished } from "node:stream/promises";
import type { SqlResult } from "./sql-client.js";

export type OutputFormat = "csv" | "jsonl";

/** Writes every row to `path` (CSV with a header line, or one JSON object per line); returns the count. */
export async function writeRows(result: SqlResult, path: string, format: OutputFormat): Promise<number> {
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path);
  const columns = result.fields.length > 0 ? result.fields.map((f) => f.name) : Object.keys(result.rows[0] ?? {});
  const write = async (text: string) => {
    if (!out.write(text)) await new Promise((r) => out.once("drain", r));
  };
  if (format === "csv") await write(`${columns.map(csvCell).join(",")}\n`);
  for (const row of result.rows) {
    await write(format === "csv" ? `${columns.map((c) => csvCell(row[c])).join(",")}\n` : `${JSON.stringify(row)}\n`);
  }
  out.end();
  await finished(out);
  return result.rows.length;
}

/** RFC 4180: quote when needed, double the quotes; null is an empty cell; objects are JSON. */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
