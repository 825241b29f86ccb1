import type { Kysely } from "kysely";
import type { AttemptRecord } from "../../core/model/records.js";
import type { Database, TaskAttemptsTable } from "../schema/database.js";
import { chunk, rowsPerStatement } from "../chunk.js";
import { toAttemptRow } from "../rows/attempt-rows.js";
import { columnCount, compareText } from "../key-order.js";

/**
 * Inserts or replaces attempts by (run_pk, task_id, map_index, try_number); same chunking, key
 * order and last-wins collapsing as upsertTaskInstances. Call inside a transaction, after the
 * task instances the attempts belong to.
 */
export async function upsertAttempts(db: Kysely<Database>, maxParameters: number, attempts: readonly AttemptRecord[]): Promise<void> {
  if (attempts.length === 0) return;
  const rows = attemptRowsInKeyOrder(attempts);

  const perStatement = rowsPerStatement(maxParameters, columnCount(rows[0]!));
  for (const part of chunk(rows, perStatement)) {
    await db
      .insertInto("task_attempts")
      .values(part)
      .onConflict((oc) =>
        oc.columns(["run_pk", "task_id", "map_index", "try_number"]).doUpdateSet((eb) => ({
          state: eb.ref("excluded.state"),
          started_at: eb.ref("excluded.started_at"),
          ended_at: eb.ref("excluded.ended_at"),
          error: eb.ref("excluded.error"),
          // A rewrite that does not know them (recovery of an interrupted attempt) keeps the log and the worker.
          log_path: eb.fn.coalesce(eb.ref("excluded.log_path"), eb.ref("task_attempts.log_path")),
          pid: eb.ref("excluded.pid"),
          worker: eb.fn.coalesce(eb.ref("excluded.worker"), eb.ref("task_attempts.worker")),
        })),
      )
      .execute();
  }
}

/** The rows to write: one per key (the last record wins), in key order. */
export function attemptRowsInKeyOrder(attempts: readonly AttemptRecord[]): TaskAttemptsTable[] {
  const byKey = new Map<string, AttemptRecord>();
  for (const a of attempts) byKey.set(`${a.runPk}\0${a.taskId}\0${a.mapIndex}\0${a.tryNumber}`, a);
  return [...byKey.values()]
    .sort((a, b) => a.runPk - b.runPk || compareText(a.taskId, b.taskId) || a.mapIndex - b.mapIndex || a.tryNumber - b.tryNumber)
    .map(toAttemptRow);
}
