import type { Kysely } from "kysely";
import type { TaskInstanceRecord } from "../../core/model/records.js";
import type { Database, TaskInstancesTable } from "../schema/database.js";
import { chunk, rowsPerStatement } from "../chunk.js";
import { compareText, columnCount } from "../key-order.js";
import { toTaskInstanceRow } from "../rows/task-instance-rows.js";

/**
 * Inserts or replaces task instances by (run_pk, task_id, map_index) with multi-row
 * `INSERT … ON CONFLICT DO UPDATE`, chunked under the parameter limit. Call inside a transaction.
 *
 * Duplicate keys are collapsed (last wins) because one statement may not touch a row twice on
 * PostgreSQL, and rows are written in key order so that concurrent writers lock rows in the
 * same order and cannot deadlock each other.
 */
export async function upsertTaskInstances(db: Kysely<Database>, maxParameters: number, tis: readonly TaskInstanceRecord[]): Promise<void> {
  if (tis.length === 0) return;
  const rows = taskInstanceRowsInKeyOrder(tis);

  const perStatement = rowsPerStatement(maxParameters, columnCount(rows[0]!));
  for (const part of chunk(rows, perStatement)) {
    await db
      .insertInto("task_instances")
      .values(part)
      .onConflict((oc) =>
        oc.columns(["run_pk", "task_id", "map_index"]).doUpdateSet((eb) => ({
          state: eb.ref("excluded.state"),
          try_number: eb.ref("excluded.try_number"),
          max_tries: eb.ref("excluded.max_tries"),
          infra_tries: eb.ref("excluded.infra_tries"),
          priority: eb.ref("excluded.priority"),
          pool: eb.ref("excluded.pool"),
          pool_slots: eb.ref("excluded.pool_slots"),
          queued_at: eb.ref("excluded.queued_at"),
          started_at: eb.ref("excluded.started_at"),
          ended_at: eb.ref("excluded.ended_at"),
          next_retry_at: eb.ref("excluded.next_retry_at"),
          output: eb.ref("excluded.output"),
          error: eb.ref("excluded.error"),
          followed: eb.ref("excluded.followed"),
          first_poke_at: eb.ref("excluded.first_poke_at"),
          poke_count: eb.ref("excluded.poke_count"),
          trigger_spec: eb.ref("excluded.trigger_spec"),
          updated_at: eb.ref("excluded.updated_at"),
        })),
      )
      .execute();
  }
}

/** The rows to write: one per key (the last record wins), in key order. */
export function taskInstanceRowsInKeyOrder(tis: readonly TaskInstanceRecord[]): TaskInstancesTable[] {
  const byKey = new Map<string, TaskInstanceRecord>();
  for (const ti of tis) byKey.set(`${ti.runPk}\0${ti.taskId}\0${ti.mapIndex}`, ti);
  return [...byKey.values()].sort(compareTaskInstanceKeys).map(toTaskInstanceRow);
}

function compareTaskInstanceKeys(a: TaskInstanceRecord, b: TaskInstanceRecord): number {
  return a.runPk - b.runPk || compareText(a.taskId, b.taskId) || a.mapIndex - b.mapIndex;
}
