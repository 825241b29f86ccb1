import { sql, type Kysely, type SelectQueryBuilder } from "kysely";
import type { PurgedRuns, PurgeLimits, RetentionCounts, RetentionFilter } from "../../core/ports/retention-store.js";
import { InvalidInputError } from "../../core/errors.js";
import { chunk } from "../chunk.js";
import type { Database } from "../schema/database.js";

/** Runs that may be deleted: finished ones. Queued and running runs never are. */
const FINISHED_RUN_STATES = ["success", "failed"];

/** Tables keyed by `run_pk` that go with a run, children first; `dag_runs` is deleted last. */
export const RUN_TABLES = ["task_attempts", "task_instances", "callback_claims", "missed_deadlines", "task_metrics", "anomalies", "remote_attempts"] as const;

function matching<O>(q: SelectQueryBuilder<Database, "dag_runs", O>, f: RetentionFilter): SelectQueryBuilder<Database, "dag_runs", O> {
  let r = q.where("dag_runs.state", "in", FINISHED_RUN_STATES).where(sql<number>`coalesce(dag_runs.ended_at, dag_runs.created_at)`, "<", f.endedBefore);
  if (f.dagId !== undefined) r = r.where("dag_runs.dag_id", "=", f.dagId);
  return r;
}

/** What the filter selects in total (the dry run of `baton db clean`). */
export async function countFinishedRuns(db: Kysely<Database>, f: RetentionFilter): Promise<RetentionCounts> {
  const runs = matching(db.selectFrom("dag_runs"), f).select((eb) => eb.fn.countAll<number | string>().as("n"));
  const tis = matching(db.selectFrom("task_instances").innerJoin("dag_runs", "dag_runs.id", "task_instances.run_pk"), f).select((eb) =>
    eb.fn.countAll<number | string>().as("n"),
  );
  const attempts = matching(db.selectFrom("task_attempts").innerJoin("dag_runs", "dag_runs.id", "task_attempts.run_pk"), f).select((eb) =>
    eb.fn.countAll<number | string>().as("n"),
  );
  const [r, t, a] = await Promise.all([runs.executeTakeFirstOrThrow(), tis.executeTakeFirstOrThrow(), attempts.executeTakeFirstOrThrow()]);
  return { runs: Number(r.n), taskInstances: Number(t.n), attempts: Number(a.n) };
}

/**
 * One batch of `baton db clean`, in one transaction: locks the oldest matching runs (`FOR UPDATE`
 * where rows lock, re-checking the filter, so a run cleared back to queued meanwhile is left
 * alone; SQLite's immediate transaction excludes other writers), keeps the prefix within
 * `limits`, then deletes their rows table by table and the runs. Lock order as in
 * commit-changes.ts: runs first, then their task instances and attempts.
 */
export async function purgeFinishedRuns(
  db: Kysely<Database>,
  rowLocks: boolean,
  maxParameters: number,
  f: RetentionFilter,
  limits: PurgeLimits,
): Promise<PurgedRuns> {
  if (!Number.isInteger(limits.maxRuns) || limits.maxRuns < 1) throw new InvalidInputError(`maxRuns must be a whole number ≥ 1, got ${limits.maxRuns}`);
  return db.transaction().execute(async (trx) => {
    let q = matching(trx.selectFrom("dag_runs"), f).select(["id", "dag_id", "run_id"]).orderBy("id").limit(limits.maxRuns);
    if (rowLocks) q = q.forUpdate();
    const candidates = await q.execute();
    if (candidates.length === 0) return { runs: 0, taskInstances: 0, attempts: 0, deleted: [] };

    const perRun = new Map<number, number>();
    for (const ids of chunk(
      candidates.map((c) => c.id),
      maxParameters,
    )) {
      const rows = await trx
        .selectFrom("task_instances")
        .select(["run_pk", (eb) => eb.fn.countAll<number | string>().as("n")])
        .where("run_pk", "in", ids)
        .groupBy("run_pk")
        .execute();
      for (const r of rows) perRun.set(Number(r.run_pk), Number(r.n));
    }
    const chosen: typeof candidates = [];
    let tis = 0;
    for (const c of candidates) {
      const n = perRun.get(c.id) ?? 0;
      if (chosen.length > 0 && tis + n > limits.maxTaskInstances) break;
      chosen.push(c);
      tis += n;
    }

    let attempts = 0;
    let taskInstances = 0;
    for (const ids of chunk(
      chosen.map((c) => c.id),
      maxParameters,
    )) {
      for (const table of RUN_TABLES) {
        const res = await trx.deleteFrom(table).where("run_pk", "in", ids).executeTakeFirst();
        if (table === "task_attempts") attempts += Number(res.numDeletedRows);
        if (table === "task_instances") taskInstances += Number(res.numDeletedRows);
      }
      await trx.deleteFrom("dag_runs").where("id", "in", ids).execute();
    }
    return { runs: chosen.length, taskInstances, attempts, deleted: chosen.map((c) => ({ id: c.id, dagId: c.dag_id, runId: c.run_id })) };
  });
}
