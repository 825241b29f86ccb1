// The sample data of the ml_train_deploy example: a deterministic customer table with a churn
// label, written as CSV. The same seed and ds always give the same file.
// Folders starting with "_" are not scanned for DAGs.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

export const CSV_COLUMNS = ["customer_id", "tenure_months", "monthly_spend", "support_tickets", "plan", "days_since_login", "churned"] as const;

/** mulberry32: a small, fast, seeded pseudo-random generator in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * `rows` customers whose churn follows a known logistic rule plus noise, so a model can learn it.
 * About 2% of rows have no `days_since_login` (the feature step imputes it).
 */
export function sampleCustomersCsv(rows: number, seed: number, ds: string): string {
  const dayHash = [...ds].reduce((h, ch) => (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0, 17);
  const rand = seededRandom(seed ^ dayHash);
  const lines: string[] = [CSV_COLUMNS.join(",")];
  for (let id = 1; id <= rows; id++) {
    const tenure = 1 + Math.floor(rand() * 72);
    const spend = Math.round((15 + rand() * 185) * 100) / 100;
    const tickets = Math.floor(-Math.log(1 - rand()) * 1.5); // roughly exponential, mostly 0-3
    const pro = rand() < 0.35;
    const daysSinceLogin = Math.floor(rand() * 120);
    const z = 0.9 - 0.055 * tenure + 0.45 * tickets + 0.022 * daysSinceLogin - 1.1 * (pro ? 1 : 0) + 0.006 * (spend - 100);
    const churned = rand() < 1 / (1 + Math.exp(-z));
    const login = rand() < 0.02 ? "" : String(daysSinceLogin);
    lines.push([id, tenure, spend.toFixed(2), tickets, pro ? "pro" : "basic", login, churned ? 1 : 0].join(","));
  }
  return `${lines.join("\n")}\n`;
}

export async function writeText(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}
