import { CompiledQuery, type Kysely } from "kysely";
import { FencedError } from "../../core/errors.js";
import type { AttemptRecord, TaskInstanceRecord } from "../../core/model/records.js";
import type { NewRemoteAttempt } from "../../core/model/workers.js";
import type { RunPatch } from "../../core/ports/store.js";
import { preparedStatement } from "../prepared-statements.js";
import type { Database } from "../schema/database.js";
import { attemptRowsInKeyOrder } from "./upsert-attempts.js";
import { taskInstanceRowsInKeyOrder } from "./upsert-task-instances.js";

/**
 * The scheduler's group commit as ONE statement where writable CTEs exist (PostgreSQL): the
 * fence read, the run patches, the task-instance and the attempt upserts travel in one round trip
 * and commit as one implicit transaction, instead of BEGIN, a read, two or more writes and COMMIT
 * one after another (five round trips at least). The statement's text does not depend on the
 * number of rows: each column is one array parameter, zipped back into rows by `unnest`, so it is
 * a prepared statement, parsed and planned once per connection.
 *
 * Fencing is the same as the transaction's: the `fence` CTE reads the committer's lease
 * `FOR SHARE` (a fence of that lease waits for this statement, or this statement waits for the
 * fence and then finds the lease fenced), and every write is gated on that row, so a fenced or
 * unknown lease writes nothing and the caller gets {@link FencedError}. Writes happen in the
 * transaction path's order (runs, task instances, attempts; rows in key order): the final SELECT
 * reads the CTEs in that order, and each runs to completion when first read. The attempts'
 * foreign key to their task instance is checked at the end of the statement, after both upserts.
 *
 * `remote`: mailbox rows of attempts handed to remote workers with this commit (docs/workers.md,
 * "Handed out in the scheduler's commit"), inserted after the attempts, gated on the same fence
 * (a row already there is left as it is): the attempt's record and its mailbox row are durable
 * together or not at all, in the same round trip.
 */
export async function commitInOneStatement(
  db: Kysely<Database>,
  runs: readonly RunPatch[],
  tis: readonly TaskInstanceRecord[],
  attempts: readonly AttemptRecord[],
  schedulerId: string | undefined,
  remote: readonly NewRemoteAttempt[] = [],
): Promise<void> {
  const fenced = schedulerId !== undefined;
  const params: unknown[] = fenced ? [schedulerId] : [null];
  const patches = runs.filter((r) => r.state !== undefined || r.startedAt !== undefined || r.endedAt !== undefined || r.note !== undefined);
  params.push(
    patches.map((r) => r.id),
    patches.map((r) => r.state !== undefined),
    patches.map((r) => r.state ?? null),
    patches.map((r) => r.startedAt !== undefined),
    patches.map((r) => r.startedAt ?? null),
    patches.map((r) => r.endedAt !== undefined),
    patches.map((r) => r.endedAt ?? null),
    patches.map((r) => r.note !== undefined),
    patches.map((r) => r.note ?? null),
  );
  const tiRows = taskInstanceRowsInKeyOrder(tis);
  for (const column of TI_COLUMNS) params.push(tiRows.map((row) => row[column.name]));
  const attemptRows = attemptRowsInKeyOrder(attempts);
  for (const column of ATTEMPT_COLUMNS) params.push(attemptRows.map((row) => row[column.name]));
  params.push(
    remote.map((r) => r.attemptId),
    remote.map((r) => r.runPk),
    remote.map((r) => r.schedulerId),
    remote.map((r) => r.queue),
    remote.map((r) => r.requestJson ?? JSON.stringify(r.request)),
    remote.map((r) => r.createdAt),
    remote.map((r) => r.workerId ?? null),
  );

  const result = await db.executeQuery<{ lease: number }>(CompiledQuery.raw(fenced ? FENCED_COMMIT : UNFENCED_COMMIT, params));
  if (fenced && Number(result.rows[0]?.lease ?? 0) === 0) {
    throw new FencedError(`scheduler ${schedulerId} was fenced (another scheduler adopted its work); its changes were not written`);
  }
}

type Column<Row> = { name: keyof Row & string; type: string };

const TI_COLUMNS: Column<ReturnType<typeof taskInstanceRowsInKeyOrder>[number]>[] = [
  { name: "run_pk", type: "bigint" },
  { name: "task_id", type: "text" },
  { name: "map_index", type: "integer" },
  { name: "state", type: "text" },
  { name: "try_number", type: "integer" },
  { name: "max_tries", type: "integer" },
  { name: "infra_tries", type: "integer" },
  { name: "priority", type: "integer" },
  { name: "pool", type: "text" },
  { name: "pool_slots", type: "integer" },
  { name: "queued_at", type: "bigint" },
  { name: "started_at", type: "bigint" },
  { name: "ended_at", type: "bigint" },
  { name: "next_retry_at", type: "bigint" },
  { name: "output", type: "text" },
  { name: "error", type: "text" },
  { name: "followed", type: "text" },
  { name: "first_poke_at", type: "bigint" },
  { name: "poke_count", type: "integer" },
  { name: "trigger_spec", type: "text" },
  { name: "updated_at", type: "bigint" },
];

const ATTEMPT_COLUMNS: Column<ReturnType<typeof attemptRowsInKeyOrder>[number]>[] = [
  { name: "run_pk", type: "bigint" },
  { name: "task_id", type: "text" },
  { name: "map_index", type: "integer" },
  { name: "try_number", type: "integer" },
  { name: "state", type: "text" },
  { name: "started_at", type: "bigint" },
  { name: "ended_at", type: "bigint" },
  { name: "error", type: "text" },
  { name: "log_path", type: "text" },
  { name: "pid", type: "integer" },
  { name: "worker", type: "text" },
];

/** Parameters $2…$10 are the run patches; then one per task-instance column, then one per attempt column. */
const RUN_PARAMS = 9;
const FIRST_TI = 2 + RUN_PARAMS;
const FIRST_ATTEMPT = FIRST_TI + TI_COLUMNS.length;
/** Then the remote attempts' columns: attempt_id, run_pk, scheduler_id, queue, request, created_at, worker_id. */
const FIRST_REMOTE = FIRST_ATTEMPT + ATTEMPT_COLUMNS.length;

const unnest = (columns: readonly { name: string; type: string }[], first: number) => columns.map((c, i) => `$${first + i}::${c.type}[]`).join(", ");
const names = (columns: readonly { name: string; type: string }[]) => columns.map((c) => c.name).join(", ");
const updateAll = (columns: readonly { name: string; type: string }[], key: readonly string[], keep: Record<string, string> = {}) =>
  columns
    .filter((c) => !key.includes(c.name))
    .map((c) => `${c.name} = ${keep[c.name] ?? `excluded.${c.name}`}`)
    .join(", ");

function commitStatement(fenced: boolean): string {
  const fence = fenced ? "SELECT 1 AS lease FROM scheduler_leases WHERE id = $1 AND fenced_at IS NULL FOR SHARE" : "SELECT 1 AS lease WHERE $1::text IS NULL";
  return `WITH fence AS MATERIALIZED (${fence}),
run_patches AS (
  UPDATE dag_runs AS d SET
    state = CASE WHEN p.has_state THEN p.state ELSE d.state END,
    started_at = CASE WHEN p.has_started_at THEN p.started_at ELSE d.started_at END,
    ended_at = CASE WHEN p.has_ended_at THEN p.ended_at ELSE d.ended_at END,
    note = CASE WHEN p.has_note THEN p.note ELSE d.note END
  FROM unnest($2::bigint[], $3::boolean[], $4::text[], $5::boolean[], $6::bigint[], $7::boolean[], $8::bigint[], $9::boolean[], $10::text[])
    AS p(id, has_state, state, has_started_at, started_at, has_ended_at, ended_at, has_note, note)
  WHERE d.id = p.id AND EXISTS (SELECT 1 FROM fence)
  RETURNING 1
),
tis AS (
  INSERT INTO task_instances (${names(TI_COLUMNS)})
  SELECT * FROM unnest(${unnest(TI_COLUMNS, FIRST_TI)}) WHERE EXISTS (SELECT 1 FROM fence)
  ON CONFLICT (run_pk, task_id, map_index) DO UPDATE SET ${updateAll(TI_COLUMNS, ["run_pk", "task_id", "map_index"])}
  RETURNING 1
),
attempts AS (
  INSERT INTO task_attempts (${names(ATTEMPT_COLUMNS)})
  SELECT * FROM unnest(${unnest(ATTEMPT_COLUMNS, FIRST_ATTEMPT)}) WHERE EXISTS (SELECT 1 FROM fence)
  ON CONFLICT (run_pk, task_id, map_index, try_number) DO UPDATE SET ${updateAll(ATTEMPT_COLUMNS, ["run_pk", "task_id", "map_index", "try_number"], {
    // A rewrite that does not know them (recovery of an interrupted attempt) keeps the log and the worker.
    log_path: "COALESCE(excluded.log_path, task_attempts.log_path)",
    worker: "COALESCE(excluded.worker, task_attempts.worker)",
  })}
  RETURNING 1
),
remote AS (
  INSERT INTO remote_attempts (attempt_id, run_pk, scheduler_id, queue, request, state, worker_id, assigned_at, created_at)
  SELECT r.attempt_id, r.run_pk, r.scheduler_id, r.queue, r.request,
    CASE WHEN r.worker_id IS NULL THEN 'queued' ELSE 'assigned' END, r.worker_id,
    CASE WHEN r.worker_id IS NULL THEN NULL ELSE r.created_at END, r.created_at
  FROM unnest($${FIRST_REMOTE}::text[], $${FIRST_REMOTE + 1}::bigint[], $${FIRST_REMOTE + 2}::text[], $${FIRST_REMOTE + 3}::text[],
    $${FIRST_REMOTE + 4}::text[], $${FIRST_REMOTE + 5}::bigint[], $${FIRST_REMOTE + 6}::text[])
    AS r(attempt_id, run_pk, scheduler_id, queue, request, created_at, worker_id)
  WHERE EXISTS (SELECT 1 FROM fence)
  ON CONFLICT (attempt_id) DO NOTHING
  RETURNING 1
)
SELECT (SELECT count(*) FROM fence) AS lease, (SELECT count(*) FROM run_patches) AS runs,
  (SELECT count(*) FROM tis) AS tis, (SELECT count(*) FROM attempts) AS attempts, (SELECT count(*) FROM remote) AS remote`;
}

const FENCED_COMMIT = preparedStatement("baton_commit_fenced", commitStatement(true));
const UNFENCED_COMMIT = preparedStatement("baton_commit", commitStatement(false));
