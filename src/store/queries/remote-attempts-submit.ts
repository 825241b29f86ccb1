import { sql, type ExpressionBuilder, type Kysely } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import type { NewRemoteAttempt, RemoteAttemptEnd, RemoteAttemptRecord } from "../../core/model/workers.js";
import { chunk, rowsPerStatement } from "../chunk.js";
import { toRemoteAttemptRecord } from "../rows/worker-rows.js";
import type { Database } from "../schema/database.js";
import type { RemoteAttemptsTable } from "../schema/worker-tables.js";

/**
 * The scheduler's side of the remote-attempts mailbox (docs/adr/0008-remote-workers.md).
 * Rows only ever move queued → assigned → running → finished (or assigned → queued when handed
 * back); the scheduler deletes finished rows when it takes them.
 */

const ENQUEUE_COLUMNS = 9;

/**
 * Inserts `queued` rows in one transaction; an attempt id already there is left as it is (a
 * repeated submit). Rows of a scheduler whose lease is fenced are not written: its adopter has
 * released (or will release) its runs' rows, and a late insert would run user code beside the
 * adopter's new try. The lease row is read `FOR SHARE` where rows lock, so a fence waits for this
 * insert (and the release after it sees the rows) or this insert sees the fence. A scheduler id
 * without a lease row (one scheduler without leases, the bench) is not fenced.
 *
 * Where rows lock (PostgreSQL), one scheduler's rows that fit one statement (the hot path: a
 * scheduler writes only its own) go in one statement instead — the lease read `FOR SHARE` in a
 * materialized CTE that the insert's `NOT EXISTS` reads — one round trip instead of four.
 *
 * A row with a `workerId` (an API server in the scheduler's process chose the worker) is written
 * `assigned` to it at once, `assigned_at` = `createdAt`: no claim follows. Returns the ids
 * inserted (not those already there, nor those of a fenced scheduler): only those may be sent.
 */
export async function enqueueRemoteAttempts(db: Kysely<Database>, maxParameters: number, rowLocks: boolean, all: NewRemoteAttempt[]): Promise<string[]> {
  if (all.length === 0) return [];
  const schedulerId = all[0]!.schedulerId;
  if (rowLocks && all.length <= rowsPerStatement(maxParameters, ENQUEUE_COLUMNS) - 1 && all.every((r) => r.schedulerId === schedulerId)) {
    return enqueueInOneStatement(db, schedulerId, all);
  }
  return db.transaction().execute(async (trx) => {
    const ids = [...new Set(all.map((r) => r.schedulerId))];
    let q = trx.selectFrom("scheduler_leases").select(["id", "fenced_at"]).where("id", "in", ids);
    if (rowLocks) q = q.forShare();
    const fenced = new Set((await q.execute()).filter((l) => l.fenced_at !== null).map((l) => l.id));
    const rows = fenced.size === 0 ? all : all.filter((r) => !fenced.has(r.schedulerId));
    return insertQueued(trx, maxParameters, rows);
  });
}

/** One scheduler's rows, unless its lease is fenced, in one statement (PostgreSQL: row locks). */
async function enqueueInOneStatement(db: Kysely<Database>, schedulerId: string, rows: NewRemoteAttempt[]): Promise<string[]> {
  const values = sql.join(
    rows.map(
      (r) =>
        sql`(${r.attemptId}, cast(${r.runPk} as bigint), ${r.queue}, ${r.requestJson ?? JSON.stringify(r.request)}, cast(${r.createdAt} as bigint), cast(${r.workerId ?? null} as text))`,
    ),
  );
  const inserted = await sql<{ attempt_id: string }>`
    with lease as materialized (
      select fenced_at from scheduler_leases where id = ${schedulerId} for share
    )
    insert into remote_attempts (attempt_id, run_pk, scheduler_id, queue, request, state, worker_id, assigned_at, created_at)
    select v.attempt_id, v.run_pk, ${schedulerId}, v.queue, v.request,
      case when v.worker_id is null then 'queued' else 'assigned' end, v.worker_id,
      case when v.worker_id is null then null else v.created_at end, v.created_at
    from (values ${values}) as v(attempt_id, run_pk, queue, request, created_at, worker_id)
    where not exists (select 1 from lease where fenced_at is not null)
    on conflict (attempt_id) do nothing
    returning attempt_id`.execute(db);
  return inserted.rows.map((r) => r.attempt_id);
}

/** Inserts mailbox rows (`assigned` when they name a worker), leaving those already there; returns the ids inserted. */
export async function insertQueued(trx: Kysely<Database>, maxParameters: number, rows: NewRemoteAttempt[]): Promise<string[]> {
  if (rows.length === 0) return [];
  const values = rows.map((r) => ({
    attempt_id: r.attemptId,
    run_pk: r.runPk,
    scheduler_id: r.schedulerId,
    queue: r.queue,
    request: r.requestJson ?? JSON.stringify(r.request),
    state: r.workerId === undefined ? "queued" : "assigned",
    worker_id: r.workerId ?? null,
    assigned_at: r.workerId === undefined ? null : r.createdAt,
    created_at: r.createdAt,
  }));
  const ids: string[] = [];
  for (const part of chunk(values, rowsPerStatement(maxParameters, ENQUEUE_COLUMNS))) {
    const inserted = await trx
      .insertInto("remote_attempts")
      .values(part)
      .onConflict((oc) => oc.column("attempt_id").doNothing())
      .returning("attempt_id")
      .execute();
    for (const r of inserted) ids.push(r.attempt_id);
  }
  return ids;
}

/**
 * A `queued` row is finished at once with `outcome`. An `assigned` or `running` one gets
 * `cancel_reason`, and `outcome` is kept aside in its row: if it is handed back or its worker
 * is lost before it started, it is finished with that outcome instead of going back to the queue.
 * Returns whether a row was there.
 */
export async function cancelRemoteAttempt(
  db: Kysely<Database>,
  attemptId: string,
  reason: string,
  outcome: RemoteAttemptEnd["outcome"],
  at: EpochMs,
): Promise<boolean> {
  const json = JSON.stringify(outcome);
  return db.transaction().execute(async (trx) => {
    const finished = await trx
      .updateTable("remote_attempts")
      .set({ state: "finished", outcome: json, cancel_reason: reason, ended_at: at })
      .where("attempt_id", "=", attemptId)
      .where("state", "=", "queued")
      .executeTakeFirst();
    if (Number(finished.numUpdatedRows) === 1) return true;
    const asked = await trx
      .updateTable("remote_attempts")
      .set({ cancel_reason: reason, outcome: json })
      .where("attempt_id", "=", attemptId)
      .where("state", "in", ["assigned", "running"])
      .executeTakeFirst();
    if (Number(asked.numUpdatedRows) === 1) return true;
    const row = await trx.selectFrom("remote_attempts").select("attempt_id").where("attempt_id", "=", attemptId).executeTakeFirst();
    return row !== undefined;
  });
}

type Started = Pick<RemoteAttemptRecord, "attemptId" | "startedAt" | "pid" | "workerId">;

/**
 * The finished rows of `schedulerId` (deleted here: the caller applies each once) and, among
 * `awaitingStart`, those now running or finished. With writable CTEs (PostgreSQL) it is one
 * statement (the delete and the read of running rows in one snapshot, one round trip, no
 * explicit transaction); otherwise a select and a delete in one transaction.
 */
export async function takeRemoteUpdates(
  db: Kysely<Database>,
  maxParameters: number,
  writableCtes: boolean,
  schedulerId: string,
  awaitingStart: string[],
): Promise<{ started: Started[]; finished: RemoteAttemptRecord[] }> {
  if (schedulerId === "") return { started: [], finished: [] }; // orphans belong to nobody
  if (writableCtes && awaitingStart.length <= maxParameters - 2) return takeInOneStatement(db, schedulerId, awaitingStart);
  return db.transaction().execute(async (trx) => {
    const started: Pick<RemoteAttemptRecord, "attemptId" | "startedAt" | "pid" | "workerId">[] = [];
    for (const ids of chunk(awaitingStart, maxParameters - 2)) {
      const rows = await trx
        .selectFrom("remote_attempts")
        .select(["attempt_id", "started_at", "pid", "worker_id"])
        .where("scheduler_id", "=", schedulerId)
        .where("state", "=", "running")
        .where("attempt_id", "in", ids)
        .execute();
      for (const r of rows)
        started.push({ attemptId: r.attempt_id, startedAt: r.started_at === null ? null : Number(r.started_at), pid: r.pid, workerId: r.worker_id });
    }
    const finished = (await trx.deleteFrom("remote_attempts").where("scheduler_id", "=", schedulerId).where("state", "=", "finished").returningAll().execute())
      .map(toRemoteAttemptRecord)
      .sort(byEnd);
    return { started: withFinished(started, finished, awaitingStart), finished };
  });
}

const byEnd = (a: RemoteAttemptRecord, b: RemoteAttemptRecord): number => (a.endedAt ?? 0) - (b.endedAt ?? 0) || (a.attemptId < b.attemptId ? -1 : 1);

/** `started` plus the finished ones among `awaitingStart` not in it (they started and ended between two takes). */
function withFinished(started: Started[], finished: RemoteAttemptRecord[], awaitingStart: string[]): Started[] {
  const awaiting = new Set(awaitingStart);
  const seen = new Set(started.map((s) => s.attemptId));
  for (const f of finished) {
    if (awaiting.has(f.attemptId) && !seen.has(f.attemptId)) started.push({ attemptId: f.attemptId, startedAt: f.startedAt, pid: f.pid, workerId: f.workerId });
  }
  return started;
}

/** takeRemoteUpdates in one `WITH taken AS (DELETE … RETURNING *)` statement (PostgreSQL). */
async function takeInOneStatement(
  db: Kysely<Database>,
  schedulerId: string,
  awaitingStart: string[],
): Promise<{ started: Started[]; finished: RemoteAttemptRecord[] }> {
  const running =
    awaitingStart.length === 0
      ? sql``
      : sql`union all
        select *, false as taken from remote_attempts
        where scheduler_id = ${schedulerId} and state = 'running' and attempt_id in (${sql.join(awaitingStart)})`;
  const rows = (
    await sql<RemoteAttemptsTable & { taken: boolean }>`
      with taken as (
        delete from remote_attempts where scheduler_id = ${schedulerId} and state = 'finished' returning *
      )
      select *, true as taken from taken
      ${running}`.execute(db)
  ).rows;
  const started: Started[] = [];
  const finished: RemoteAttemptRecord[] = [];
  for (const { taken, ...row } of rows) {
    if (taken) finished.push(toRemoteAttemptRecord(row));
    else started.push({ attemptId: row.attempt_id, startedAt: row.started_at === null ? null : Number(row.started_at), pid: row.pid, workerId: row.worker_id });
  }
  finished.sort(byEnd);
  return { started: withFinished(started, finished, awaitingStart), finished };
}

/**
 * Gives up the rows of these schedulers and runs: `queued` and `finished` ones are deleted (no
 * one will apply them); `assigned`/`running` ones become orphans (scheduler ""), with
 * `cancel_reason` = `reason`, for the API server to stop on their workers.
 */
export async function releaseRemoteAttempts(
  db: Kysely<Database>,
  filter: { schedulerIds?: string[]; runPks?: number[] },
  reason: string,
): Promise<{ deleted: number; orphaned: number }> {
  const schedulerIds = (filter.schedulerIds ?? []).filter((id) => id !== "");
  const runPks = filter.runPks ?? [];
  if (schedulerIds.length === 0 && runPks.length === 0) return { deleted: 0, orphaned: 0 };
  const crashed = JSON.stringify({ kind: "crashed", error: reason });
  const ofSchedulersOrRuns = (eb: ExpressionBuilder<Database, "remote_attempts">) => {
    const of = [];
    if (schedulerIds.length > 0) of.push(eb("scheduler_id", "in", schedulerIds));
    if (runPks.length > 0) of.push(eb("run_pk", "in", runPks));
    return eb.or(of);
  };
  return db.transaction().execute(async (trx) => {
    const orphaned = await trx
      .updateTable("remote_attempts")
      .set((eb) => ({ scheduler_id: "", cancel_reason: reason, outcome: eb.fn.coalesce("outcome", eb.val(crashed)) }))
      .where("state", "in", ["assigned", "running"])
      .where("scheduler_id", "<>", "")
      .where(ofSchedulersOrRuns)
      .executeTakeFirst();
    const deleted = await trx
      .deleteFrom("remote_attempts")
      .where("state", "in", ["queued", "finished"])
      .where("scheduler_id", "<>", "")
      .where(ofSchedulersOrRuns)
      .executeTakeFirst();
    return { deleted: Number(deleted.numDeletedRows), orphaned: Number(orphaned.numUpdatedRows) };
  });
}

/** Deletes `finished` orphans; returns how many. */
export async function deleteFinishedOrphans(db: Kysely<Database>): Promise<number> {
  const r = await db.deleteFrom("remote_attempts").where("scheduler_id", "=", "").where("state", "=", "finished").executeTakeFirst();
  return Number(r.numDeletedRows);
}
