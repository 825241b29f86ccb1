import { sql, type Kysely, type RawBuilder } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import type { RemoteAttemptEnd, RemoteAttemptRecord } from "../../core/model/workers.js";
import { chunk, rowsPerStatement } from "../chunk.js";
import type { DialectFeatures } from "../dialect-features.js";
import { toRemoteAttemptRecord } from "../rows/worker-rows.js";
import type { Database } from "../schema/database.js";
import type { RemoteAttemptsTable } from "../schema/worker-tables.js";

/**
 * The API server's side of the remote-attempts mailbox (docs/adr/0008-remote-workers.md).
 * Fencing by attempt: every write about an assigned attempt names the worker and changes the
 * row only while it is still assigned to that worker and not finished.
 */

const byAge = (a: RemoteAttemptRecord, b: RemoteAttemptRecord): number =>
  a.createdAt - b.createdAt || (a.attemptId < b.attemptId ? -1 : a.attemptId > b.attemptId ? 1 : 0);

/**
 * Assigns up to `limit` queued attempts of `queues`, oldest first, in one statement. With row
 * locks the candidates are picked `FOR UPDATE SKIP LOCKED` in a materialized CTE (so the pick
 * runs once, whatever the plan), and claimers at once take different rows instead of waiting;
 * without them (SQLite) the statement runs in an immediate transaction, holding the one write lock.
 */
export async function claimRemoteAttempts(
  db: Kysely<Database>,
  features: DialectFeatures,
  workerId: string,
  queues: string[],
  limit: number,
  at: EpochMs,
): Promise<RemoteAttemptRecord[]> {
  if (limit <= 0 || queues.length === 0) return [];
  const lock = features.rowLocks ? sql`for update skip locked` : sql``;
  const claim = sql<RemoteAttemptsTable>`
    with picked as materialized (
      select attempt_id from remote_attempts
      where state = 'queued' and queue in (${sql.join(queues)})
      order by created_at, attempt_id
      limit ${limit}
      ${lock}
    )
    update remote_attempts set state = 'assigned', worker_id = ${workerId}, assigned_at = ${at}
    where attempt_id in (select attempt_id from picked) and state = 'queued'
    returning *`;
  const rows = features.rowLocks ? (await claim.execute(db)).rows : await db.transaction().execute(async (trx) => (await claim.execute(trx)).rows);
  return rows.map(toRemoteAttemptRecord).sort(byAge);
}

/**
 * One `UPDATE … FROM (VALUES …)` per chunk of items (one transaction when there are several):
 * `columns(item)` gives each item's values, cast to their column types; v.column1 is the attempt
 * id and v.column2 the worker. Returns the ids of the rows updated.
 */
async function updateFromValues<T>(
  db: Kysely<Database>,
  features: DialectFeatures,
  items: T[],
  columnsPerItem: number,
  columns: (item: T) => RawBuilder<unknown>[],
  update: (values: RawBuilder<unknown>) => RawBuilder<{ attempt_id: string }>,
): Promise<string[]> {
  if (items.length === 0) return [];
  const parts = chunk(items, rowsPerStatement(features.maxParameters, columnsPerItem));
  const run = async (trx: Kysely<Database>): Promise<string[]> => {
    const ids: string[] = [];
    for (const part of parts) {
      const values = sql.join(part.map((item) => sql`(${sql.join(columns(item))})`));
      for (const r of (await update(values).execute(trx)).rows) ids.push(r.attempt_id);
    }
    return ids;
  };
  return parts.length === 1 ? run(db) : db.transaction().execute(run);
}

/** The last item per attempt id, in first-seen order (an UPDATE … FROM applies one source row per target). */
function lastPerAttempt<T extends { attemptId: string }>(items: T[]): T[] {
  const byId = new Map<string, T>();
  for (const item of items) byId.set(item.attemptId, item);
  return [...byId.values()];
}

function int64(features: DialectFeatures): RawBuilder<unknown> {
  return sql.raw(features.integerIs64Bit ? "integer" : "bigint");
}

/** Marks attempts running; accepted when assigned to that worker (or already running on it). */
export async function markRemoteStarted(
  db: Kysely<Database>,
  features: DialectFeatures,
  items: { attemptId: string; workerId: string; startedAt: EpochMs; pid: number | null }[],
): Promise<string[]> {
  const big = int64(features);
  return updateFromValues(
    db,
    features,
    lastPerAttempt(items),
    4,
    (i) => [sql`cast(${i.attemptId} as text)`, sql`cast(${i.workerId} as text)`, sql`cast(${i.startedAt} as ${big})`, sql`cast(${i.pid} as integer)`],
    (values) => sql<{ attempt_id: string }>`
      update remote_attempts set
        state = 'running',
        started_at = coalesce(remote_attempts.started_at, v.column3),
        pid = coalesce(remote_attempts.pid, v.column4)
      from (values ${values}) as v
      where remote_attempts.attempt_id = v.column1 and remote_attempts.worker_id = v.column2
        and remote_attempts.state in ('assigned', 'running')
      returning remote_attempts.attempt_id`,
  );
}

/** Records outcomes; accepted when assigned to that worker and not finished. */
export async function finishRemoteAttempts(db: Kysely<Database>, features: DialectFeatures, items: RemoteAttemptEnd[]): Promise<string[]> {
  const big = int64(features);
  return updateFromValues(
    db,
    features,
    lastPerAttempt(items),
    6,
    (i) => [
      sql`cast(${i.attemptId} as text)`,
      sql`cast(${i.workerId} as text)`,
      sql`cast(${JSON.stringify(i.outcome)} as text)`,
      sql`cast(${i.startedAt} as ${big})`,
      sql`cast(${i.endedAt} as ${big})`,
      sql`cast(${i.pid} as integer)`,
    ],
    (values) => sql<{ attempt_id: string }>`
      update remote_attempts set
        state = 'finished',
        outcome = v.column3,
        started_at = v.column4,
        ended_at = v.column5,
        pid = coalesce(v.column6, remote_attempts.pid)
      from (values ${values}) as v
      where remote_attempts.attempt_id = v.column1 and remote_attempts.worker_id = v.column2
        and remote_attempts.state in ('assigned', 'running')
      returning remote_attempts.attempt_id`,
  );
}

/**
 * A worker hands back attempts it never started: `assigned` to `workerId` → `queued`. One whose
 * stop was asked for meanwhile (cancel_reason set; orphans too) is not queued again but finished
 * with the outcome kept aside for it, at `at`. Returns the ids taken back (requeued or finished).
 */
export async function requeueRemoteAttempts(db: Kysely<Database>, ids: string[], workerId: string, at: EpochMs): Promise<string[]> {
  if (ids.length === 0) return [];
  return db.transaction().execute(async (trx) => {
    const finished = await trx
      .updateTable("remote_attempts")
      .set({ state: "finished", ended_at: at })
      .where("attempt_id", "in", ids)
      .where("worker_id", "=", workerId)
      .where("state", "=", "assigned")
      .where("cancel_reason", "is not", null)
      .returning("attempt_id")
      .execute();
    const requeued = await trx
      .updateTable("remote_attempts")
      .set({ state: "queued", worker_id: null, assigned_at: null })
      .where("attempt_id", "in", ids)
      .where("worker_id", "=", workerId)
      .where("state", "=", "assigned")
      .returning("attempt_id")
      .execute();
    return [...requeued, ...finished].map((r) => r.attempt_id);
  });
}
