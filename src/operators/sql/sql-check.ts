import { FailTask, InvalidInputError } from "../../core/errors.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { TaskRef } from "../../sdk/task-ref.js";
import { declareOperator, type OperatorTaskOptions } from "../shared/declare-operator.js";
import { templateRenderer } from "../shared/render.js";
import { resolveConnection } from "../shared/resolve-connection.js";
import { evaluateCheck, planCheck, quarantineSql, quoteName, validateChecks, type CheckResult, type SqlCheck } from "./check-sql.js";
import { openSqlClient } from "./open-sql-client.js";

export interface SqlCheckOptions extends OperatorTaskOptions {
  /** A connection id (looked up with ctx.connection) or a URI. */
  conn: string;
  checks: readonly SqlCheck[];
  /**
   * Default: a failed check fails the task at once (no retries), listing every failed check.
   * `quarantine`: copy the rows breaking failed nullRatio/unique checks (or, with `where`, the rows
   * of each failed check's table matching it) to `table`, and succeed. Checks whose rows cannot be
   * singled out still fail the task.
   */
  onFailure?: "fail" | { quarantine: { table: string; where?: string } };
}

/** The value of a `sqlCheck` task. */
export interface SqlCheckSummary {
  passed: number;
  failed: number;
  checks: (CheckResult & { quarantinedRows?: number })[];
}

const OWN_KEYS = ["conn", "checks", "onFailure"] as const;

/**
 * A task running data-quality checks (rowCount, nullRatio, unique, a boolean query,
 * compareWithPrevious) and failing, without retries, when any fails.
 *
 * @example
 * sqlCheck(d, "check", { conn: "warehouse", checks: [{ rowCount: { table: "sales", where: "day = '{{ ds }}'", min: 1 } }] });
 */
export function sqlCheck<P>(d: DagBuilder<P>, id: string, options: SqlCheckOptions): TaskRef<SqlCheckSummary> {
  if (typeof options !== "object" || options === null) throw new InvalidInputError(`sqlCheck("${id}") needs options { conn, checks }`);
  if (typeof options.conn !== "string" || options.conn === "") throw new InvalidInputError(`sqlCheck("${id}"): conn must be a connection id or URI`);
  try {
    validateChecks(options.checks);
    checkOnFailure(options.onFailure);
  } catch (e) {
    throw e instanceof InvalidInputError ? new InvalidInputError(`sqlCheck("${id}"): ${e.message}`) : e;
  }
  return declareOperator(d, "sqlCheck", id, options, OWN_KEYS, async (ctx, o) => {
    const render = templateRenderer(ctx);
    const client = await openSqlClient(await resolveConnection(ctx, o.conn));
    try {
      const results: SqlCheckSummary["checks"] = [];
      const plans = o.checks.map((check) => planCheck(check, client.dialect, render));
      for (const [i, check] of o.checks.entries()) {
        const plan = plans[i]!;
        const { rows } = await client.query(plan.sql);
        const result = evaluateCheck(check, plan, rows[0]);
        ctx.log[result.passed ? "info" : "warn"](`check ${result.passed ? "passed" : "FAILED"}: ${result.name}`, {
          value: result.value,
          expected: result.expected,
        });
        results.push(result);
      }
      const failedIdx = results.flatMap((r, i) => (r.passed ? [] : [i]));
      const unresolved: number[] = [];
      const q = typeof o.onFailure === "object" ? o.onFailure.quarantine : null;
      for (const i of failedIdx) {
        const sql = q ? quarantineSql(plans[i]!, render(q.table), client.dialect, q.where === undefined ? null : render(q.where)) : null;
        if (!sql) {
          unresolved.push(i);
          continue;
        }
        await client.query(sql.create);
        const before = await count(client, sql.target);
        await client.query(sql.insert);
        const moved = (await count(client, sql.target)) - before;
        results[i]!.quarantinedRows = moved;
        ctx.log.warn(`quarantined ${moved} row(s) of check ${results[i]!.name}`, { table: q!.table });
      }
      if (unresolved.length > 0) {
        const lines = unresolved.map((i) => `- ${results[i]!.name}: measured ${JSON.stringify(results[i]!.value)}, expected ${results[i]!.expected}`);
        throw new FailTask(`${unresolved.length} of ${results.length} data-quality check(s) failed:\n${lines.join("\n")}`);
      }
      return { passed: results.length - failedIdx.length, failed: failedIdx.length, checks: results };
    } finally {
      await client.close();
    }
  });
}

async function count(client: { query(sql: string): Promise<{ rows: Record<string, unknown>[] }> }, table: string): Promise<number> {
  const { rows } = await client.query(`select count(*) as n from ${table}`);
  return Number(rows[0]?.n ?? 0);
}

function checkOnFailure(onFailure: SqlCheckOptions["onFailure"]): void {
  if (onFailure === undefined || onFailure === "fail") return;
  const q = typeof onFailure === "object" && onFailure !== null ? onFailure.quarantine : undefined;
  if (typeof q !== "object" || q === null || typeof q.table !== "string") {
    throw new InvalidInputError(`onFailure must be "fail" or { quarantine: { table, where? } }`);
  }
  if (!q.table.includes("{{")) quoteName(q.table, "postgres");
  if (q.where !== undefined && typeof q.where !== "string") throw new InvalidInputError("onFailure.quarantine.where must be a SQL string");
}
