import { BatonError, InvalidInputError, NotFoundError } from "../core/errors.js";

/** Exit codes: 0 ok / run succeeded, 1 run failed or internal error, 2 bad input. */
export const EXIT = { ok: 0, failed: 1, badInput: 2 } as const;

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** A plain aligned table for humans. */
export function printTable(rows: Record<string, unknown>[], columns: string[]): void {
  if (rows.length === 0) {
    process.stdout.write("(none)\n");
    return;
  }
  const cell = (v: unknown) => (v === null || v === undefined ? "" : Array.isArray(v) ? v.join(",") : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (vals: string[]) =>
    vals
      .map((v, i) => v.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  process.stdout.write(`${line(columns)}\n${line(widths.map((w) => "-".repeat(w)))}\n`);
  for (const r of rows) process.stdout.write(`${line(columns.map((c) => cell(r[c])))}\n`);
}

export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : new Date(ms).toISOString();
}

/** Maps an error to a message on stderr and an exit code, in one place. */
export function exitCodeFor(error: unknown): number {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message}\n`);
  if (error instanceof InvalidInputError || error instanceof NotFoundError) return EXIT.badInput;
  if (error instanceof BatonError) return EXIT.badInput;
  if (error instanceof Error && !(error instanceof BatonError) && process.env.BATON_DEBUG) {
    process.stderr.write(`${error.stack}\n`);
  }
  return EXIT.failed;
}

export function parseJsonOption(text: string | undefined, what: string): Record<string, unknown> {
  if (text === undefined) return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError(`${what} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidInputError(`${what} must be a JSON object, like '{"key": "value"}'`);
  }
  return value as Record<string, unknown>;
}
