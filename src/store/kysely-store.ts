import type { Kysely } from "kysely";
import type {
  AttemptRecord,
  BackfillRecord,
  DagRecord,
  DagVersionRecord,
  EpochMs,
  ImportErrorRecord,
  NewRun,
  PoolRecord,
  RunRecord,
  TaskInstanceRecord,
} from "../core/model/records.js";
import type { TaskState } from "../core/model/states.js";
import type { ChangeSet, NewBackfill, RunFilter, Store, StoreCapabilities } from "../core/ports/store.js";
import type { DialectFeatures } from "./dialect-features.js";
import { migrateToLatest } from "./migrations/migrate-to-latest.js";
import { commitChanges } from "./queries/commit-changes.js";
import { createBackfill } from "./queries/create-backfill.js";
import { createRun } from "./queries/create-run.js";
import { deactivateDags } from "./queries/deactivate-dags.js";
import { deletePool } from "./queries/delete-pool.js";
import { getBackfill } from "./queries/get-backfill.js";
import { getDagVersion } from "./queries/get-dag-version.js";
import { getDag } from "./queries/get-dag.js";
import { getPool } from "./queries/get-pool.js";
import { getPreviousRun } from "./queries/get-previous-run.js";
import { getRunById } from "./queries/get-run-by-id.js";
import { getRun } from "./queries/get-run.js";
import { listAttempts } from "./queries/list-attempts.js";
import { listBackfills } from "./queries/list-backfills.js";
import { listDags } from "./queries/list-dags.js";
import { listHeartbeats } from "./queries/list-heartbeats.js";
import { listImportErrors } from "./queries/list-import-errors.js";
import { listPools } from "./queries/list-pools.js";
import { listRuns } from "./queries/list-runs.js";
import { listTaskInstancesForRuns } from "./queries/list-task-instances-for-runs.js";
import { listTaskInstancesInStates } from "./queries/list-task-instances-in-states.js";
import { listTaskInstances } from "./queries/list-task-instances.js";
import { recordHeartbeat } from "./queries/record-heartbeat.js";
import { replaceImportErrors } from "./queries/replace-import-errors.js";
import { saveDagVersion } from "./queries/save-dag-version.js";
import { setDagPaused } from "./queries/set-dag-paused.js";
import { upsertPool } from "./queries/upsert-pool.js";
import type { Database } from "./schema/database.js";

export interface StoreOptions {
  /**
   * Wall clock for the few timestamps the store assigns itself (a run's `createdAt` when the
   * caller gives none, a backfill's `createdAt`). Defaults to Date.now.
   */
  now?: () => EpochMs;
}

/**
 * The Store port over any Kysely dialect. Every query lives in src/store/queries/ and is written
 * once against Kysely<Database>; what differs between engines arrives as {@link DialectFeatures}.
 */
export class KyselyStore implements Store {
  readonly #db: Kysely<Database>;
  readonly #features: DialectFeatures;
  readonly #now: () => EpochMs;
  #closed: Promise<void> | undefined;

  constructor(
    db: Kysely<Database>,
    readonly capabilities: StoreCapabilities,
    features: DialectFeatures,
    options: StoreOptions = {},
  ) {
    this.#db = db;
    this.#features = features;
    this.#now = options.now ?? Date.now;
  }

  migrate(): Promise<void> {
    return migrateToLatest(this.#db, this.#features);
  }

  /** Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#db.destroy();
    return this.#closed;
  }

  saveDagVersion(version: DagVersionRecord): Promise<void> {
    return saveDagVersion(this.#db, version);
  }

  deactivateDags(fileloc: string, keepDagIds: string[]): Promise<void> {
    return deactivateDags(this.#db, fileloc, keepDagIds);
  }

  listDags(): Promise<DagRecord[]> {
    return listDags(this.#db);
  }

  getDag(dagId: string): Promise<DagRecord | undefined> {
    return getDag(this.#db, dagId);
  }

  getDagVersion(versionHash: string): Promise<DagVersionRecord | undefined> {
    return getDagVersion(this.#db, versionHash);
  }

  setDagPaused(dagId: string, paused: boolean): Promise<boolean> {
    return setDagPaused(this.#db, dagId, paused);
  }

  replaceImportErrors(file: string, errors: ImportErrorRecord[]): Promise<void> {
    return replaceImportErrors(this.#db, this.#features.maxParameters, file, errors);
  }

  listImportErrors(): Promise<ImportErrorRecord[]> {
    return listImportErrors(this.#db);
  }

  createRun(run: NewRun, tis: TaskInstanceRecord[]): Promise<RunRecord | undefined> {
    return createRun(this.#db, this.#features.maxParameters, run, tis, run.createdAt ?? this.#now());
  }

  getRun(dagId: string, runId: string): Promise<RunRecord | undefined> {
    return getRun(this.#db, dagId, runId);
  }

  getRunById(id: number): Promise<RunRecord | undefined> {
    return getRunById(this.#db, id);
  }

  listRuns(filter: RunFilter): Promise<RunRecord[]> {
    return listRuns(this.#db, filter);
  }

  getPreviousRun(
    dagId: string,
    logicalDate: EpochMs,
    runTypes?: RunRecord["runType"][],
  ): Promise<RunRecord | undefined> {
    return getPreviousRun(this.#db, dagId, logicalDate, runTypes);
  }

  listTaskInstances(runPk: number): Promise<TaskInstanceRecord[]> {
    return listTaskInstances(this.#db, runPk);
  }

  listTaskInstancesForRuns(runPks: number[]): Promise<TaskInstanceRecord[]> {
    return listTaskInstancesForRuns(this.#db, this.#features.maxParameters, runPks);
  }

  listTaskInstancesInStates(states: TaskState[]): Promise<TaskInstanceRecord[]> {
    return listTaskInstancesInStates(this.#db, states);
  }

  listAttempts(runPk: number, taskId?: string): Promise<AttemptRecord[]> {
    return listAttempts(this.#db, runPk, taskId);
  }

  commit(changes: ChangeSet): Promise<void> {
    return commitChanges(this.#db, this.#features.maxParameters, changes);
  }

  listPools(): Promise<PoolRecord[]> {
    return listPools(this.#db);
  }

  getPool(name: string): Promise<PoolRecord | undefined> {
    return getPool(this.#db, name);
  }

  upsertPool(pool: PoolRecord): Promise<void> {
    return upsertPool(this.#db, pool);
  }

  deletePool(name: string): Promise<boolean> {
    return deletePool(this.#db, name);
  }

  createBackfill(backfill: NewBackfill): Promise<BackfillRecord> {
    return createBackfill(this.#db, backfill, this.#now());
  }

  getBackfill(id: number): Promise<BackfillRecord | undefined> {
    return getBackfill(this.#db, id);
  }

  listBackfills(filter: { dagId?: string; states?: BackfillRecord["state"][] }): Promise<BackfillRecord[]> {
    return listBackfills(this.#db, filter);
  }

  heartbeat(component: string, id: string, at: EpochMs): Promise<void> {
    return recordHeartbeat(this.#db, component, id, at);
  }

  listHeartbeats(component: string): Promise<{ id: string; at: EpochMs }[]> {
    return listHeartbeats(this.#db, component);
  }
}

