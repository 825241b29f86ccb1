import type BetterSqlite3 from "better-sqlite3";
import { FencedError } from "../../core/errors.js";
import type { CommitFence } from "../../core/ports/scheduler-leases.js";
import type { ChangeSet } from "../../core/ports/store.js";
import type { AttemptRecord, NewRun, RunRecord, TaskInstanceRecord } from "../../core/model/records.js";
import type { StoreAvailabilityTracker } from "../store-availability-tracker.js";
import { toAttemptRow } from "../rows/attempt-rows.js";
import { toNewRunRow, toRunRecord } from "../rows/run-rows.js";
import { toTaskInstanceRecord, toTaskInstanceRow } from "../rows/task-instance-rows.js";
import type { TaskInstancesTable } from "../schema/database.js";
import { isLockError } from "./lock-wait.js";
import type { WalSync } from "./wal-sync.js";

const TI_COLUMNS = [
  "run_pk",
  "task_id",
  "map_index",
  "state",
  "try_number",
  "max_tries",
  "infra_tries",
  "priority",
  "pool",
  "pool_slots",
  "queued_at",
  "started_at",
  "ended_at",
  "next_retry_at",
  "output",
  "error",
  "followed",
  "first_poke_at",
  "poke_count",
  "trigger_spec",
  "updated_at",
] as const;
const TI_KEY = new Set(["run_pk", "task_id", "map_index"]);

const ATTEMPT_COLUMNS = ["run_pk", "task_id", "map_index", "try_number", "state", "started_at", "ended_at", "error", "log_path", "pid", "worker"] as const;
/** A rewrite that does not know them (recovery of an interrupted attempt) keeps the log and the worker. */
const ATTEMPT_KEPT = new Set(["log_path", "worker"]);
const ATTEMPT_KEY = new Set(["run_pk", "task_id", "map_index", "try_number"]);

const placeholders = (n: number) => Array.from({ length: n }, () => "?").join(", ");

/** The same upsert as queries/upsert-task-instances.ts, as one prepared single-row statement. */
const UPSERT_TI =
  `insert into "task_instances" (${TI_COLUMNS.map((c) => `"${c}"`).join(", ")}) values (${placeholders(TI_COLUMNS.length)}) ` +
  `on conflict ("run_pk", "task_id", "map_index") do update set ` +
  TI_COLUMNS.filter((c) => !TI_KEY.has(c))
    .map((c) => `"${c}" = "excluded"."${c}"`)
    .join(", ");

/** The same upsert as queries/upsert-attempts.ts, as one prepared single-row statement. */
const UPSERT_ATTEMPT =
  `insert into "task_attempts" (${ATTEMPT_COLUMNS.map((c) => `"${c}"`).join(", ")}) values (${placeholders(ATTEMPT_COLUMNS.length)}) ` +
  `on conflict ("run_pk", "task_id", "map_index", "try_number") do update set ` +
  ATTEMPT_COLUMNS.filter((c) => !ATTEMPT_KEY.has(c))
    .map((c) => (ATTEMPT_KEPT.has(c) ? `"${c}" = coalesce("excluded"."${c}", "task_attempts"."${c}")` : `"${c}" = "excluded"."${c}"`))
    .join(", ");

/** The same insert as queries/create-run.ts, for one set of columns (`triggered_by` is written only when known). */
const insertRun = (columns: readonly string[]) =>
  `insert into "dag_runs" (${columns.map((c) => `"${c}"`).join(", ")}) values (${placeholders(columns.length)}) ` +
  `on conflict ("dag_id", "run_id") do nothing returning *`;

const FENCE = `select "fenced_by" from "scheduler_leases" where "id" = ? and "fenced_at" is null`;

/** The same read as queries/list-task-instances.ts, its columns in {@link TI_COLUMNS} order. */
const LIST_TIS = `select ${TI_COLUMNS.map((c) => `"${c}"`).join(", ")} from "task_instances" where "run_pk" = ? order by "task_id", "map_index"`;

/**
 * The scheduler's commit on SQLite without the query builder, for the change sets that make up
 * nearly all of them: task instances and attempts only (a hop of a chain, a wave of a fan-out).
 * One synchronous transaction on the store's connection with prepared single-row upserts — the
 * same statements, the same fence check and the same durability (the WAL synced off the event
 * loop before the promise resolves) as `commitChanges`, at a fraction of the CPU: Kysely built,
 * compiled and parsed a multi-row statement per commit (docs/benchmark.md).
 *
 * {@link tryCommit} returns `null` when it cannot take a change set, and the caller goes the
 * general way: a change set with runs, backfills, schedules, dataset events or remote attempts; the connection
 * inside another transaction (a Kysely transaction awaiting between statements) or busy with a
 * read; the file's write lock held by another process (the general way waits for it off the
 * event loop, lock-wait.ts).
 */
export class SqliteFastCommit {
  readonly #db: BetterSqlite3.Database;
  readonly #walSync: WalSync | undefined;
  readonly #tracker: StoreAvailabilityTracker;
  #statements: Record<"begin" | "commit" | "rollback" | "ti" | "attempt" | "fence" | "listTis", BetterSqlite3.Statement> | null = null;
  /** The run inserts, by their column list (two at most: with and without `triggered_by`). */
  readonly #runInserts = new Map<string, BetterSqlite3.Statement>();

  constructor(db: BetterSqlite3.Database, walSync: WalSync | undefined, tracker: StoreAvailabilityTracker) {
    this.#db = db;
    this.#walSync = walSync;
    this.#tracker = tracker;
  }

  tryCommit(changes: ChangeSet, fence?: CommitFence): Promise<void> | null {
    if (!onlyTaskRows(changes)) return null;
    const tis = changes.taskInstances ?? [];
    const attempts = changes.attempts ?? [];
    if (tis.length + attempts.length === 0) return Promise.resolve();
    if (this.#db.inTransaction) return null;
    const s = (this.#statements ??= this.#prepare());
    try {
      s.begin.run();
    } catch (e) {
      // Another process holds the write lock, or a read is iterating on the connection.
      if (isLockError(e) || isConnectionBusy(e)) return null;
      return Promise.reject(e as Error);
    }
    try {
      if (fence && s.fence.get(fence.schedulerId) === undefined) {
        throw new FencedError(`scheduler ${fence.schedulerId} was fenced (another scheduler adopted its work); its changes were not written`);
      }
      // Task instances before their attempts (the attempts' foreign key), as commitChanges does.
      for (const ti of tis) s.ti.run(tiParameters(ti));
      for (const a of attempts) s.attempt.run(attemptParameters(a));
      s.commit.run();
    } catch (e) {
      // After SQLITE_FULL or SQLITE_IOERR SQLite has rolled back already.
      if (this.#db.inTransaction) s.rollback.run();
      return Promise.reject(e as Error);
    }
    if (this.#tracker.unavailable) this.#tracker.markAvailable();
    return this.#walSync ? this.#walSync.sync() : Promise.resolve();
  }

  /**
   * `createRun` the same way: the run and its task instances in one synchronous transaction with
   * prepared statements (`INSERT … ON CONFLICT (dag_id, run_id) DO NOTHING RETURNING *`, then the
   * task-instance upsert per row) instead of Kysely's multi-row statements, acknowledged after the
   * WAL's sync. A duplicate resolves undefined and writes nothing. Returns `null` when it cannot
   * take it (connection inside a transaction or busy, write lock held by another process), and
   * the caller goes the general way.
   */
  tryCreateRun(run: NewRun, tis: readonly TaskInstanceRecord[], createdAt: number): Promise<RunRecord | undefined> | null {
    if (this.#db.inTransaction) return null;
    const s = (this.#statements ??= this.#prepare());
    const runRow = toNewRunRow(run, createdAt) as Record<string, unknown>;
    const columns = Object.keys(runRow);
    const signature = columns.join(",");
    let insert = this.#runInserts.get(signature);
    if (insert === undefined) this.#runInserts.set(signature, (insert = this.#db.prepare(insertRun(columns))));
    try {
      s.begin.run();
    } catch (e) {
      if (isLockError(e) || isConnectionBusy(e)) return null;
      return Promise.reject(e as Error);
    }
    let created: RunRecord | undefined;
    try {
      const row = insert.get(columns.map((c) => runRow[c] ?? null)) as Parameters<typeof toRunRecord>[0] | undefined;
      if (row !== undefined) {
        for (const ti of tis) s.ti.run(tiParameters(ti, row.id));
        created = toRunRecord(row);
      }
      s.commit.run();
    } catch (e) {
      if (this.#db.inTransaction) s.rollback.run();
      return Promise.reject(e as Error);
    }
    if (this.#tracker.unavailable) this.#tracker.markAvailable();
    if (created === undefined || !this.#walSync) return Promise.resolve(created);
    return this.#walSync.sync().then(() => created);
  }

  /**
   * `listTaskInstances` the same way: a run's task instances (by task id, then map index) through
   * one prepared statement returning arrays, turned into records here — better-sqlite3 builds a
   * row object property by property, which cost ~10 ms of CPU for the 2,000 rows a run of the
   * fan-out loads; arrays and one object literal per row cost a fraction (docs/benchmark.md).
   * Returns `null` when the connection is inside a transaction or busy, or the file locked, and
   * the caller goes the general way.
   */
  tryListTaskInstances(runPk: number): TaskInstanceRecord[] | null {
    if (this.#db.inTransaction) return null;
    const s = (this.#statements ??= this.#prepare());
    let rows: unknown[][];
    try {
      rows = s.listTis.all(runPk) as unknown[][];
    } catch (e) {
      if (isLockError(e) || isConnectionBusy(e)) return null;
      throw e;
    }
    return rows.map((r) => toTaskInstanceRecord(tiRowOf(r)));
  }

  #prepare() {
    const db = this.#db;
    return {
      listTis: db.prepare(LIST_TIS).raw(true),
      begin: db.prepare("begin immediate"),
      commit: db.prepare("commit"),
      rollback: db.prepare("rollback"),
      ti: db.prepare(UPSERT_TI),
      attempt: db.prepare(UPSERT_ATTEMPT),
      fence: db.prepare(FENCE),
    };
  }
}

function onlyTaskRows(c: ChangeSet): boolean {
  return !c.runs?.length && !c.backfills?.length && !c.dagSchedules?.length && !c.datasetEvents?.length && !c.remoteAttempts?.length;
}

function isConnectionBusy(e: unknown): boolean {
  return e instanceof TypeError && /busy executing a query/.test(e.message);
}

/** `runPk`: the run's id instead of the record's (a new run's task instances). */
function tiParameters(ti: TaskInstanceRecord, runPk?: number): unknown[] {
  const row = toTaskInstanceRow(ti) as unknown as Record<string, unknown>;
  if (runPk !== undefined) row.run_pk = runPk;
  return TI_COLUMNS.map((c) => row[c] ?? null);
}

/** A row of {@link LIST_TIS} (values in {@link TI_COLUMNS} order) as the table's row type: one literal, one hidden class. */
function tiRowOf(r: unknown[]): TaskInstancesTable {
  return {
    run_pk: r[0],
    task_id: r[1],
    map_index: r[2],
    state: r[3],
    try_number: r[4],
    max_tries: r[5],
    infra_tries: r[6],
    priority: r[7],
    pool: r[8],
    pool_slots: r[9],
    queued_at: r[10],
    started_at: r[11],
    ended_at: r[12],
    next_retry_at: r[13],
    output: r[14],
    error: r[15],
    followed: r[16],
    first_poke_at: r[17],
    poke_count: r[18],
    trigger_spec: r[19],
    updated_at: r[20],
  } as TaskInstancesTable;
}

function attemptParameters(a: AttemptRecord): unknown[] {
  const row = toAttemptRow(a) as unknown as Record<string, unknown>;
  return ATTEMPT_COLUMNS.map((c) => row[c] ?? null);
}
