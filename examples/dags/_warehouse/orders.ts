// Helpers of the warehouse_etl_postgres example: the landing file's layout, a small CSV reader
// and the row rules. Folders starting with "_" are not scanned for DAGs.
import { join } from "node:path";

/** The columns of a landing file, in order. */
export const COLUMNS = ["order_id", "ordered_at", "customer_id", "product", "quantity", "unit_price"] as const;
export type RawOrder = Record<(typeof COLUMNS)[number], string>;

/** A row that passed validation, typed. Money is in cents so sums are exact. */
export interface Order {
  orderId: string;
  orderedAt: string; // ISO 8601, UTC
  customerId: string;
  product: string;
  quantity: number;
  unitPriceCents: number;
  amountCents: number;
}

/** A row that did not, with the line it came from (1 = header) and why. */
export interface Rejected {
  line: number;
  orderId: string | null;
  raw: string;
  reason: string;
}

export function landingFile(landingDir: string, ds: string): string {
  return join(landingDir, `orders_${ds}.csv`);
}

/** The day's working files: what validation kept and what it quarantined, as JSON lines. */
export function workFiles(workDir: string, ds: string) {
  return { valid: join(workDir, ds, "orders.valid.jsonl"), rejected: join(workDir, ds, "orders.rejected.jsonl") };
}

/**
 * Splits CSV text into records of cells (RFC 4180: quoted cells may hold commas, quotes doubled,
 * and line breaks). Returns each record with the line it starts on. Blank lines are dropped.
 */
export function parseCsv(text: string): { line: number; cells: string[]; raw: string }[] {
  const out: { line: number; cells: string[]; raw: string }[] = [];
  let cells: string[] = [];
  let cell = "";
  let quoted = false;
  let line = 1;
  let start = 0;
  let startLine = 1;
  const endRecord = (end: number) => {
    cells.push(cell);
    const raw = text.slice(start, end).replace(/\r$/, "");
    if (raw.trim() !== "") out.push({ line: startLine, cells, raw });
    cells = [];
    cell = "";
  };
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        cell += ch;
        if (ch === "\n") line++;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ",") {
      cells.push(cell);
      cell = "";
    } else if (ch === "\n") {
      endRecord(i);
      line++;
      start = i + 1;
      startLine = line;
    } else if (ch !== "\r") {
      cell += ch;
    }
  }
  if (start < text.length) endRecord(text.length);
  return out;
}

/** The header must name every column (in any order); returns each column's index. */
export function columnIndexes(header: readonly string[]): Record<(typeof COLUMNS)[number], number> | string {
  const names = header.map((h) => h.trim().toLowerCase());
  const missing = COLUMNS.filter((c) => !names.includes(c));
  if (missing.length > 0) return `the header lacks ${missing.join(", ")}; expected ${COLUMNS.join(",")}`;
  return Object.fromEntries(COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<(typeof COLUMNS)[number], number>;
}

/**
 * Checks one raw row against the rules and the run's data interval [start, end); returns the typed
 * order, or the reason it is rejected.
 */
export function validateOrder(row: RawOrder, interval: { start: Date; end: Date }, seen: ReadonlySet<string>): Order | string {
  const missing = COLUMNS.filter((c) => row[c].trim() === "");
  if (missing.length > 0) return `missing ${missing.join(", ")}`;
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(row.order_id)) return `order_id "${row.order_id}" is not 1-40 letters, digits, "_" or "-"`;
  if (seen.has(row.order_id)) return `duplicate order_id ${row.order_id}`;
  const at = Date.parse(row.ordered_at);
  if (Number.isNaN(at) || !/(Z|[+-]\d\d:?\d\d)$/.test(row.ordered_at)) return `ordered_at "${row.ordered_at}" is not an ISO date-time with a zone`;
  if (at < interval.start.getTime() || at >= interval.end.getTime()) {
    return `ordered_at ${row.ordered_at} is outside the data interval [${interval.start.toISOString()}, ${interval.end.toISOString()})`;
  }
  const quantity = Number(row.quantity);
  if (!Number.isInteger(quantity) || quantity <= 0) return `quantity "${row.quantity}" is not a positive whole number`;
  if (!/^\d+(\.\d{1,2})?$/.test(row.unit_price)) return `unit_price "${row.unit_price}" is not an amount such as 12.50`;
  const unitPriceCents = Math.round(Number(row.unit_price) * 100);
  return {
    orderId: row.order_id,
    orderedAt: new Date(at).toISOString(),
    customerId: row.customer_id,
    product: row.product,
    quantity,
    unitPriceCents,
    amountCents: quantity * unitPriceCents,
  };
}
