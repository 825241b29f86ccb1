import { InvalidInputError } from "../../core/errors.js";
import type { Render } from "../shared/render.js";
import type { SqlDialect } from "./sql-client.js";

/** One data-quality check of `sqlCheck`. Strings (table, where, column, query, sql) are templates. */
export type SqlCheck =
  | { name?: string; rowCount: { table: string; where?: string; min?: number; max?: number } }
  | { name?: string; nullRatio: { table: string; column: string; where?: string; max: number } }
  | { name?: string; unique: { table: string; columns: readonly string[]; where?: string } }
  | { name?: string; query: string }
  | { name?: string; compareWithPrevious: { sql: string; pct: number } };

export type CheckKind = "rowCount" | "nullRatio" | "unique" | "query" | "compareWithPrevious";
export const CHECK_KINDS: readonly CheckKind[] = ["rowCount", "nullRatio", "unique", "query", "compareWithPrevious"];

/** What one check runs: a query whose first row is the measurement, and (for row-level checks) the offending rows. */
export interface CheckPlan {
  name: string;
  kind: CheckKind;
  sql: string;
  /** The table the check reads, when it reads one. */
  table: string | null;
  /** A predicate selecting the rows that break the check (nullRatio, unique); null when rows cannot be singled out. */
  offending: string | null;
  /** The check's own filter (rendered), or null. */
  where: string | null;
  expected: string;
}

export interface CheckResult {
  name: string;
  kind: CheckKind;
  passed: boolean;
  /** The measured value: a count, a ratio, a boolean, or { current, previous, changePct }. */
  value: unknown;
  expected: string;
}

const IDENT = /^[A-Za-z_][\w$]*$/;

/** Quotes a (possibly schema-qualified) name for the dialect; refuses anything but plain identifiers. */
export function quoteName(name: string, dialect: SqlDialect, what = "table"): string {
  const parts = name.split(".");
  for (const p of parts) {
    if (!IDENT.test(p)) throw new InvalidInputError(`${what} name "${name}" must be identifiers (letters, digits, _ and $) joined by dots`);
  }
  const q = dialect === "mysql" ? "`" : '"';
  return parts.map((p) => `${q}${p}${q}`).join(".");
}

function kindOf(check: SqlCheck): CheckKind {
  const kinds = CHECK_KINDS.filter((k) => Object.hasOwn(check, k));
  const extra = Object.keys(check).filter((k) => k !== "name" && !CHECK_KINDS.includes(k as CheckKind));
  if (kinds.length !== 1 || extra.length > 0) {
    throw new InvalidInputError(
      `each check must have exactly one of ${CHECK_KINDS.join(", ")} (and optionally a name); got keys ${Object.keys(check).join(", ") || "(none)"}`,
    );
  }
  return kinds[0]!;
}

/** Checks the shape of the checks when the DAG is declared. Throws InvalidInputError naming the check. */
export function validateChecks(checks: readonly SqlCheck[]): void {
  if (!Array.isArray(checks) || checks.length === 0) throw new InvalidInputError("checks must be a non-empty list");
  checks.forEach((check, i) => {
    const at = `checks[${i}]`;
    if (typeof check !== "object" || check === null) throw new InvalidInputError(`${at} must be an object`);
    const kind = kindOf(check);
    const spec = (check as Record<string, unknown>)[kind];
    const need = (ok: boolean, msg: string) => {
      if (!ok) throw new InvalidInputError(`${at}.${kind}: ${msg}`);
    };
    const num = (v: unknown) => typeof v === "number" && Number.isFinite(v);
    if (kind === "query") return need(typeof spec === "string" && spec.trim() !== "", "must be a SQL string returning one boolean");
    need(typeof spec === "object" && spec !== null, "must be an object");
    const s = spec as Record<string, unknown>;
    if (kind === "compareWithPrevious") {
      need(typeof s.sql === "string", "needs sql returning columns current and previous");
      return need(num(s.pct) && (s.pct as number) >= 0, "needs pct, a number >= 0");
    }
    need(typeof s.table === "string" && s.table !== "", "needs a table");
    need(s.where === undefined || typeof s.where === "string", "where must be a SQL string");
    if (kind === "rowCount") {
      need(s.min !== undefined || s.max !== undefined, "needs min and/or max");
      need((s.min === undefined || num(s.min)) && (s.max === undefined || num(s.max)), "min and max must be numbers");
    }
    if (kind === "nullRatio") {
      need(typeof s.column === "string", "needs a column");
      need(num(s.max) && (s.max as number) >= 0 && (s.max as number) <= 1, "needs max, a ratio between 0 and 1");
    }
    if (kind === "unique")
      need(
        Array.isArray(s.columns) && s.columns.length > 0 && s.columns.every((c) => typeof c === "string"),
        "needs columns, a non-empty list of column names",
      );
  });
}

/** The SQL measuring one check, with its templates rendered and its names quoted for the dialect. */
export function planCheck(check: SqlCheck, dialect: SqlDialect, render: Render): CheckPlan {
  const kind = kindOf(check);
  const filter = (where: string | undefined) => (where === undefined ? null : render(where));
  const whereSql = (w: string | null) => (w === null ? "" : ` where ${w}`);
  if ("rowCount" in check) {
    const c = check.rowCount;
    const table = quoteName(render(c.table), dialect);
    const where = filter(c.where);
    const expected = [c.min !== undefined ? `>= ${c.min}` : null, c.max !== undefined ? `<= ${c.max}` : null].filter(Boolean).join(" and ");
    return {
      name: check.name ?? `rowCount(${c.table})`,
      kind,
      sql: `select count(*) as value from ${table}${whereSql(where)}`,
      table,
      offending: null,
      where,
      expected: `row count ${expected}`,
    };
  }
  if ("nullRatio" in check) {
    const c = check.nullRatio;
    const table = quoteName(render(c.table), dialect);
    const column = quoteName(render(c.column), dialect, "column");
    const where = filter(c.where);
    return {
      name: check.name ?? `nullRatio(${c.table}.${c.column})`,
      kind,
      sql: `select count(*) as total, count(*) - count(${column}) as nulls from ${table}${whereSql(where)}`,
      table,
      offending: `${column} is null`,
      where,
      expected: `null ratio <= ${c.max}`,
    };
  }
  if ("unique" in check) {
    const c = check.unique;
    const table = quoteName(render(c.table), dialect);
    const cols = c.columns.map((col) => quoteName(render(col), dialect, "column")).join(", ");
    const where = filter(c.where);
    const dupKeys = `select ${cols} from ${table}${whereSql(where)} group by ${cols} having count(*) > 1`;
    return {
      name: check.name ?? `unique(${c.table}: ${c.columns.join(", ")})`,
      kind,
      sql: `select count(*) as value from (${dupKeys}) as dup_keys`,
      table,
      offending: `(${cols}) in (${dupKeys})`,
      where,
      expected: "no duplicated keys",
    };
  }
  if ("query" in check) {
    return { name: check.name ?? check.query, kind, sql: render(check.query), table: null, offending: null, where: null, expected: "true" };
  }
  const c = check.compareWithPrevious;
  return {
    name: check.name ?? `compareWithPrevious(${c.sql})`,
    kind,
    sql: render(c.sql),
    table: null,
    offending: null,
    where: null,
    expected: `within ±${c.pct}% of previous`,
  };
}

/** Judges a check from the first row its SQL returned (undefined when it returned none). */
export function evaluateCheck(check: SqlCheck, plan: CheckPlan, row: Record<string, unknown> | undefined): CheckResult {
  const base = { name: plan.name, kind: plan.kind, expected: plan.expected };
  if ("rowCount" in check) {
    const n = toNumber(row?.value);
    const { min, max } = check.rowCount;
    return { ...base, value: n, passed: n !== null && (min === undefined || n >= min) && (max === undefined || n <= max) };
  }
  if ("nullRatio" in check) {
    const total = toNumber(row?.total) ?? 0;
    const nulls = toNumber(row?.nulls) ?? 0;
    const ratio = total === 0 ? 0 : nulls / total;
    return { ...base, value: ratio, passed: ratio <= check.nullRatio.max };
  }
  if ("unique" in check) {
    const dups = toNumber(row?.value);
    return { ...base, value: dups, passed: dups === 0 };
  }
  if ("query" in check) {
    const first = row === undefined ? undefined : Object.values(row)[0];
    const value = toBoolean(first);
    return { ...base, value: value ?? first ?? null, passed: value === true };
  }
  const current = toNumber(row?.current);
  const previous = toNumber(row?.previous);
  if (current === null) return { ...base, value: { current: null, previous }, passed: false };
  // No baseline yet (first run): nothing to compare with.
  if (previous === null) return { ...base, value: { current, previous: null, changePct: null }, passed: true };
  const changePct = previous === 0 ? (current === 0 ? 0 : Infinity) : (Math.abs(current - previous) / Math.abs(previous)) * 100;
  return {
    ...base,
    value: { current, previous, changePct: Number.isFinite(changePct) ? round(changePct) : null },
    passed: changePct <= check.compareWithPrevious.pct,
  };
}

/** The SQL copying a failed row-level check's offending rows to `quarantine` (created like the source when missing). */
export function quarantineSql(
  plan: CheckPlan,
  quarantine: string,
  dialect: SqlDialect,
  extraWhere: string | null,
): { target: string; create: string; insert: string } | null {
  const predicate = extraWhere ?? plan.offending;
  if (plan.table === null || predicate === null) return null;
  const target = quoteName(quarantine, dialect);
  const conditions = [plan.where, predicate].filter((c): c is string => c !== null).map((c) => `(${c})`);
  // MySQL cannot read the table it inserts into in a subquery; the source is never the target here.
  return {
    target,
    create: `create table if not exists ${target} as select * from ${plan.table} where 1 = 0`,
    insert: `insert into ${target} select * from ${plan.table} where ${conditions.join(" and ")}`,
  };
}

function toNumber(v: unknown): number | null {
  if (typeof v === "number") return v;
  if (typeof v === "bigint") return Number(v);
  if (typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v))) return Number(v);
  return null;
}

function toBoolean(v: unknown): boolean | null {
  if (typeof v === "boolean") return v;
  if (v === 1 || v === "1" || v === "t" || v === "true") return true;
  if (v === 0 || v === "0" || v === "f" || v === "false") return false;
  return null;
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
