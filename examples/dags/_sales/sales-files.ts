// Helpers of the sales_etl example: its file layout, a minimal CSV reader/writer and the sample
// day it generates. Folders starting with "_" are not scanned for DAGs.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** The columns of a landing file. */
export const COLUMNS = ["order_id", "region", "product", "quantity", "unit_price"] as const;
export type RawRow = Record<(typeof COLUMNS)[number], string>;

/** Where one day's files live under the root folder. */
export function files(root: string, ds: string) {
  return {
    landing: join(root, "landing", `sales_${ds}.csv`),
    archived: join(root, "archive", `sales_${ds}.csv`),
    quarantine: join(root, "quarantine", `sales_${ds}.csv`),
    valid: join(root, "staging", `sales_${ds}.valid.csv`),
    staged: join(root, "staging", `sales_${ds}.jsonl`),
  };
}

/** Minimal CSV for this example's files: a header line, no quoted fields. Use a CSV library for real feeds. */
export function parseCsv(text: string): RawRow[] {
  const [header, ...lines] = text.split(/\r?\n/).filter((l) => l.trim() !== "");
  const names = (header ?? "").split(",").map((h) => h.trim());
  return lines.map((line) => {
    const cells = line.split(",");
    const row = Object.fromEntries(COLUMNS.map((c) => [c, ""])) as RawRow;
    names.forEach((name, i) => {
      if ((COLUMNS as readonly string[]).includes(name)) row[name as keyof RawRow] = cells[i]?.trim() ?? "";
    });
    return row;
  });
}

export function toCsv(columns: readonly string[], rows: readonly Record<string, string>[]): string {
  return [columns.join(","), ...rows.map((r) => columns.map((c) => r[c] ?? "").join(","))].join("\n") + "\n";
}

export async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

/**
 * A deterministic day of sales (the same ds always gives the same file) with three rows that
 * validation must reject: a missing region, a non-numeric price and a negative quantity.
 */
export function sampleCsv(ds: string): string {
  let seed = [...ds].reduce((h, ch) => (h * 31 + ch.charCodeAt(0)) >>> 0, 7);
  const next = () => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const products = [
    ["widget", 4.5],
    ["gadget", 12.99],
    ["gizmo", 7.25],
    ["doohickey", 19.0],
  ] as const;
  const id = ds.replaceAll("-", "");
  const lines: string[] = [COLUMNS.join(",")];
  const count = 8 + Math.floor(next() * 8);
  for (let i = 1; i <= count; i++) {
    const [product, price] = pick(products);
    lines.push(`${id}-${String(i).padStart(3, "0")},${pick(["eu", "us", "apac"])},${product},${1 + Math.floor(next() * 5)},${price.toFixed(2)}`);
  }
  lines.push(`${id}-901,,widget,2,4.50`); // missing region
  lines.push(`${id}-902,eu,gadget,1,n/a`); // non-numeric unit_price
  lines.push(`${id}-903,us,gizmo,-2,7.25`); // negative quantity
  return lines.join("\n") + "\n";
}
