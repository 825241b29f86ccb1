import type { Kysely } from "kysely";
import type { NewRun, RunRecord, TaskInstanceRecord } from "../../core/model/records.js";
import type { Database } from "../schema/database.js";
import { toNewRunRow, toRunRecord } from "../rows/run-rows.js";
import { upsertTaskInstances } from "./upsert-task-instances.js";

/**
 * Inserts a run and its task instances in one transaction. A duplicate (dag_id, run_id) is not
 * an error: `ON CONFLICT DO NOTHING` returns no row, nothing is written, and the result is
 * undefined. On PostgreSQL a concurrent duplicate waits for the first insert to commit and then
 * sees the conflict, so racing creators never both succeed.
 */
export async function createRun(
  db: Kysely<Database>,
  maxParameters: number,
  run: NewRun,
  tis: readonly TaskInstanceRecord[],
  createdAt: number,
): Promise<RunRecord | undefined> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto("dag_runs")
      .values(toNewRunRow(run, createdAt))
      .onConflict((oc) => oc.columns(["dag_id", "run_id"]).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (row === undefined) return undefined;
    await upsertTaskInstances(
      trx,
      maxParameters,
      tis.map((ti) => ({ ...ti, runPk: row.id })),
    );
    return toRunRecord(row);
  });
}
