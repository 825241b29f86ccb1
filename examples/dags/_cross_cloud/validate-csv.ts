import { createInterface } from "node:readline";
import type { Readable } from "node:stream";

/** The header every incoming orders file must start with. */
export const EXPECTED_HEADER = ["order_id", "region", "amount"] as const;

/**
 * Why a CSV file cannot be backed up, or null when it can: read line by line (never the whole
 * file in memory). The header must be exactly EXPECTED_HEADER; each row has as many cells, a
 * non-empty order_id and a numeric amount; there is at least one row.
 */
export async function csvProblem(body: Readable): Promise<string | null> {
  let line = 0;
  let rows = 0;
  for await (const text of createInterface({ input: body, crlfDelay: Infinity })) {
    line++;
    if (text.trim() === "") continue;
    const cells = text.split(",").map((c) => c.trim());
    if (line === 1) {
      if (cells.join(",") !== EXPECTED_HEADER.join(",")) return `header is "${text}", expected "${EXPECTED_HEADER.join(",")}"`;
      continue;
    }
    if (cells.length !== EXPECTED_HEADER.length) return `line ${line} has ${cells.length} cells, expected ${EXPECTED_HEADER.length}`;
    if (cells[0] === "") return `line ${line}: order_id is empty`;
    if (cells[2] === "" || !Number.isFinite(Number(cells[2]))) return `line ${line}: amount "${cells[2]}" is not a number`;
    rows++;
  }
  if (line === 0) return "the file is empty";
  return rows === 0 ? "the file has a header but no rows" : null;
}
