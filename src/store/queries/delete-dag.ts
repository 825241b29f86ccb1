import type { Kysely } from "kysely";
import type { DagDeletion } from "../../core/ports/retention-store.js";
import type { RunState } from "../../core/model/states.js";
import { chunk } from "../chunk.js";
import type { Database } from "../schema/database.js";
import { RUN_TABLES } from "./purge-finished-runs.js";

/** A DAG with a run in one of these states is not deleted. */
const ACTIVE_RUN_STATES: readonly string[] = ["queued", "running"] satisfies RunState[];

/** Tables with a `dag_id` column that also hold rows whose run is gone (or that belong to no run). */
const DAG_TABLES = ["task_metrics", "anomalies", "missed_deadlines", "callback_claims"] as const;

/**
 * `baton dags delete` in one transaction. Locks the DAG's runs first (`FOR UPDATE` where rows
 * lock; SQLite's immediate transaction excludes other writers) and deletes nothing when one is
 * queued or running; then deletes table by table in the lock order of commit-changes.ts: the runs'
 * rows and the runs, then the DAG row, its backfills, versions and dataset cursor.
 *
 * A run another writer creates for the DAG after the runs were read is not seen (nor deleted):
 * the scheduler starts queued runs only of DAGs it knows, so it waits until the DAG is back.
 */
export async function deleteDag(db: Kysely<Database>, rowLocks: boolean, maxParameters: number, dagId: string): Promise<DagDeletion> {
  return db.transaction().execute(async (trx): Promise<DagDeletion> => {
    let q = trx.selectFrom("dag_runs").select(["id", "run_id", "state"]).where("dag_id", "=", dagId).orderBy("id");
    if (rowLocks) q = q.forUpdate();
    const runs = await q.execute();
    const active = runs.filter((r) => ACTIVE_RUN_STATES.includes(r.state));
    if (active.length > 0) return { outcome: "active_runs", activeRuns: active.map((r) => ({ runId: r.run_id, state: r.state as RunState })) };

    const dag = await trx.selectFrom("dags").select("dag_id").where("dag_id", "=", dagId).executeTakeFirst();
    const { n: versionCount } = await trx
      .selectFrom("dag_versions")
      .select((eb) => eb.fn.countAll<number | string>().as("n"))
      .where("dag_id", "=", dagId)
      .executeTakeFirstOrThrow();
    if (!dag && runs.length === 0 && Number(versionCount) === 0) return { outcome: "unknown" };

    let attempts = 0;
    let taskInstances = 0;
    for (const ids of chunk(
      runs.map((r) => r.id),
      maxParameters,
    )) {
      for (const table of RUN_TABLES) {
        const res = await trx.deleteFrom(table).where("run_pk", "in", ids).executeTakeFirst();
        if (table === "task_attempts") attempts += Number(res.numDeletedRows);
        if (table === "task_instances") taskInstances += Number(res.numDeletedRows);
      }
      await trx.deleteFrom("dag_runs").where("id", "in", ids).execute();
    }
    for (const table of DAG_TABLES) await trx.deleteFrom(table).where("dag_id", "=", dagId).execute();
    await trx.deleteFrom("dags").where("dag_id", "=", dagId).execute();
    await trx.deleteFrom("backfills").where("dag_id", "=", dagId).execute();
    const versions = await trx.deleteFrom("dag_versions").where("dag_id", "=", dagId).executeTakeFirst();
    await trx.deleteFrom("dataset_cursors").where("dag_id", "=", dagId).execute();
    return {
      outcome: "deleted",
      runs: runs.length,
      taskInstances,
      attempts,
      versions: Number(versions.numDeletedRows),
      deleted: runs.map((r) => ({ id: r.id, dagId, runId: r.run_id })),
    };
  });
}
