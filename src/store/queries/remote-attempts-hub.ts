import { CompiledQuery, sql, type Kysely, type RawBuilder } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import type { RemoteAttemptEnd, RemoteAttemptRecord } from "../../core/model/workers.js";
import { chunk, rowsPerStatement } from "../chunk.js";
import type { DialectFeatures } from "../dialect-features.js";
import { preparedStatement } from "../prepared-statements.js";
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

/** An outcome finishRemoteAttempts took for a scheduler in the API server's own process (its row deleted). */
export type TakenRemoteEnd = RemoteAttemptEnd & { schedulerId: string };

/**
 * finishRemoteAttempts for an API server that shares its process with some schedulers
 * (`takeFor`, their lease ids): the rows of those schedulers are not written `finished` for them
 * to take later; they are deleted here and returned (`taken`), for the caller to hand over in
 * memory — the finish and the take in one statement instead of two. Fenced as finishRemoteAttempts:
 * only a row still assigned to the reporting worker and not finished is accepted (`accepted`
 * lists them all, taken or not). With writable CTEs (PostgreSQL) it is one prepared statement;
 * otherwise a read and the writes in one transaction.
 */
export async function finishAndTakeRemoteAttempts(
  db: Kysely<Database>,
  features: DialectFeatures,
  all: RemoteAttemptEnd[],
  takeFor: string[],
): Promise<{ accepted: string[]; taken: TakenRemoteEnd[] }> {
  const items = lastPerAttempt(all);
  const owners = takeFor.filter((id) => id !== "");
  if (items.length === 0) return { accepted: [], taken: [] };
  if (owners.length === 0) return { accepted: await finishRemoteAttempts(db, features, items), taken: [] };
  const byId = new Map(items.map((i) => [i.attemptId, i]));
  const accepted: string[] = [];
  const taken: TakenRemoteEnd[] = [];
  if (!features.writableCtes) {
    await db.transaction().execute(async (trx) => {
      for (const part of chunk(items, features.maxParameters - owners.length - 1)) {
        const rows = await trx
          .selectFrom("remote_attempts")
          .select(["attempt_id", "worker_id", "scheduler_id", "pid"])
          .where(
            "attempt_id",
            "in",
            part.map((i) => i.attemptId),
          )
          .where("state", "in", ["assigned", "running"])
          .execute();
        const mine = rows.filter((r) => r.worker_id === byId.get(r.attempt_id)!.workerId);
        const toTake = mine.filter((r) => owners.includes(r.scheduler_id));
        if (toTake.length > 0)
          await trx
            .deleteFrom("remote_attempts")
            .where(
              "attempt_id",
              "in",
              toTake.map((r) => r.attempt_id),
            )
            .execute();
        for (const r of toTake) {
          const item = byId.get(r.attempt_id)!;
          taken.push({ ...item, pid: item.pid ?? r.pid, schedulerId: r.scheduler_id });
          accepted.push(r.attempt_id);
        }
        const takenIds = new Set(toTake.map((r) => r.attempt_id));
        const rest = part.filter((i) => !takenIds.has(i.attemptId));
        accepted.push(...(await finishRemoteAttempts(trx, features, rest)));
      }
    });
    return { accepted, taken };
  }
  // One prepared statement whatever the number of items: each column is one array parameter.
  const result = await db.executeQuery<{ attempt_id: string; scheduler_id: string | null; pid: number | null }>(
    CompiledQuery.raw(FINISH_AND_TAKE, [
      items.map((i) => i.attemptId),
      items.map((i) => i.workerId),
      items.map((i) => JSON.stringify(i.outcome)),
      items.map((i) => i.startedAt),
      items.map((i) => i.endedAt),
      items.map((i) => i.pid),
      owners,
    ]),
  );
  for (const r of result.rows) {
    accepted.push(r.attempt_id);
    if (r.scheduler_id === null) continue;
    const item = byId.get(r.attempt_id)!;
    taken.push({ ...item, pid: item.pid ?? r.pid, schedulerId: r.scheduler_id });
  }
  return { accepted, taken };
}

/**
 * finishAndTakeRemoteAttempts with writable CTEs (PostgreSQL), as one prepared statement (parsed
 * and planned once per connection, not per batch of reports): $1…$6 the items' columns as
 * arrays, zipped back into rows by `unnest`; $7 the schedulers whose rows are taken. The update
 * reads `taken`, so the delete runs first and the two never touch one row.
 */
const FINISH_AND_TAKE = preparedStatement(
  "baton_remote_finish_and_take",
  `WITH v AS MATERIALIZED (
  SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::integer[])
    AS v(attempt_id, worker_id, outcome, started_at, ended_at, pid)
),
taken AS (
  DELETE FROM remote_attempts r USING v
  WHERE r.attempt_id = v.attempt_id AND r.worker_id = v.worker_id AND r.state IN ('assigned', 'running')
    AND r.scheduler_id = ANY($7::text[])
  RETURNING r.attempt_id, r.scheduler_id, r.pid
),
finished AS (
  UPDATE remote_attempts SET
    state = 'finished',
    outcome = v.outcome,
    started_at = v.started_at,
    ended_at = v.ended_at,
    pid = coalesce(v.pid, remote_attempts.pid)
  FROM v
  WHERE remote_attempts.attempt_id = v.attempt_id AND remote_attempts.worker_id = v.worker_id
    AND remote_attempts.state IN ('assigned', 'running')
    AND remote_attempts.attempt_id NOT IN (SELECT attempt_id FROM taken)
  RETURNING remote_attempts.attempt_id
)
SELECT attempt_id, scheduler_id, pid FROM taken
UNION ALL
SELECT attempt_id, NULL, NULL FROM finished`,
);
