import type {
  AttemptRecord,
  BackfillRecord,
  DagRecord,
  DagVersionRecord,
  EpochMs,
  ImportErrorRecord,
  ImportWarningRecord,
  NewDatasetEvent,
  NewRun,
  PoolRecord,
  RunRecord,
  TaskInstanceRecord,
} from "../model/records.js";
import type { RunState, TaskState } from "../model/states.js";
import type { NewRemoteAttempt } from "../model/workers.js";
import type { CommitFence } from "./scheduler-leases.js";

/**
 * What a store can do beyond the contract, asked by capability, never by dialect name.
 */

/** A task instance as the grid draws it (`Store.listTaskCellsForRuns`). */
export type TaskCell = Pick<TaskInstanceRecord, "runPk" | "taskId" | "mapIndex" | "state" | "tryNumber">;
export interface StoreCapabilities {
  /** `SELECT … FOR UPDATE SKIP LOCKED` (PostgreSQL); false on SQLite, which serialises writers. */
  readonly skipLocked: boolean;
  /** The store can be shared by several processes on different machines. */
  readonly networked: boolean;
}

/** Changes written atomically by {@link Store.commit}: the scheduler's unit of work. */
export interface ChangeSet {
  /** Partial updates of runs, by surrogate id. */
  runs?: RunPatch[];
  /** Full task-instance rows; inserted or replaced by (runPk, taskId, mapIndex). */
  taskInstances?: TaskInstanceRecord[];
  /** Attempt history rows; inserted or replaced by (runPk, taskId, mapIndex, tryNumber). */
  attempts?: AttemptRecord[];
  /** Latest scheduled logical date per DAG (catch-up bookkeeping). */
  dagSchedules?: { dagId: string; lastScheduledLogicalDate: EpochMs }[];
  backfills?: BackfillPatch[];
  /**
   * Dataset events produced by attempts whose success is in this change set: written in the same
   * transaction; an event already stored for the same (uri, attempt) is skipped.
   */
  datasetEvents?: NewDatasetEvent[];
  /**
   * Remote attempts handed to the mailbox with this commit (docs/workers.md, "Handed out in the
   * scheduler's commit"): written in the same transaction as the attempts' `queued` records, fenced
   * by the same lease, so an attempt reaches the mailbox only with its record, and never without
   * it. A row already there is left as it is. All of the committing scheduler's.
   */
  remoteAttempts?: NewRemoteAttempt[];
}

export type RunPatch = { id: number } & Partial<Pick<RunRecord, "state" | "startedAt" | "endedAt" | "note">>;
export type BackfillPatch = { id: number } & Partial<Pick<BackfillRecord, "state" | "endedAt">>;

export interface RunFilter {
  dagId?: string;
  states?: RunState[];
  runIds?: string[];
  backfillId?: number;
  /** Inclusive bounds on logical date. */
  logicalDateFrom?: EpochMs;
  logicalDateTo?: EpochMs;
  /** Newest first by id; `beforeId` pages backwards. */
  beforeId?: number;
  limit?: number;
}

/** Which earlier run {@link Store.getPreviousRun} looks for. */
export interface PreviousRunFilter {
  runTypes?: RunRecord["runType"][];
  state?: RunState;
}

/** Whose `maxActiveRuns` a queued run counts against: its DAG's (`backfillId` null) or its backfill's. */
export interface QueuedRunGroup {
  dagId: string;
  backfillId: number | null;
}

/** A page of one group's due queued runs ({@link Store.listDueQueuedRuns}). */
export interface QueuedRunsPage extends QueuedRunGroup {
  /** Only runs whose runAfter is at or before this time. */
  dueBy: EpochMs;
  limit: number;
}

export interface NewBackfill {
  dagId: string;
  fromDate: EpochMs;
  toDate: EpochMs;
  reprocess: BackfillRecord["reprocess"];
  maxActiveRuns: number;
  conf: Record<string, unknown>;
}

/**
 * The store port: every durable fact Baton keeps. Implemented by src/store (SQLite, PostgreSQL)
 * and proven by one contract suite run against both.
 */
export interface Store {
  readonly capabilities: StoreCapabilities;
  /** Applies pending migrations; idempotent. */
  migrate(): Promise<void>;
  close(): Promise<void>;

  // DAGs and their versions
  /** Records a loaded DAG: inserts the version if new, points the DAG at it, marks it active. */
  saveDagVersion(version: DagVersionRecord): Promise<void>;
  /** Marks inactive the DAGs last loaded from `fileloc` that are not in `keepDagIds`. */
  deactivateDags(fileloc: string, keepDagIds: string[]): Promise<void>;
  listDags(): Promise<DagRecord[]>;
  getDag(dagId: string): Promise<DagRecord | undefined>;
  getDagVersion(versionHash: string): Promise<DagVersionRecord | undefined>;
  /** Returns false when the DAG is unknown. */
  setDagPaused(dagId: string, paused: boolean): Promise<boolean>;
  /** Replaces the import errors recorded for `file` (empty list clears them). */
  replaceImportErrors(file: string, errors: ImportErrorRecord[]): Promise<void>;
  listImportErrors(): Promise<ImportErrorRecord[]>;
  /** Replaces the import warnings (type errors that refuse nothing) recorded for `file` (empty list clears them). */
  replaceImportWarnings(file: string, warnings: ImportWarningRecord[]): Promise<void>;
  /** All import warnings, by file, in the order they were reported. */
  listImportWarnings(): Promise<ImportWarningRecord[]>;

  // Runs and task instances
  /**
   * Creates a run and its task instances in one transaction. Returns the stored run, or
   * undefined when a run with the same (dagId, runId) exists (idempotent creation).
   * `tis` carry runPk 0; the store sets the real one.
   */
  createRun(run: NewRun, tis: TaskInstanceRecord[]): Promise<RunRecord | undefined>;
  getRun(dagId: string, runId: string): Promise<RunRecord | undefined>;
  getRunById(id: number): Promise<RunRecord | undefined>;
  listRuns(filter: RunFilter): Promise<RunRecord[]>;
  /** The groups with queued runs due by `dueBy`: one row per group, however many runs are queued. */
  listQueuedRunGroups(dueBy: EpochMs): Promise<QueuedRunGroup[]>;
  /** A group's queued runs due by `dueBy`, oldest logical date (else runAfter) first, then by id; at most `limit`. */
  listDueQueuedRuns(page: QueuedRunsPage): Promise<RunRecord[]>;
  /**
   * Per DAG, how many of its runs are queued or running, backfills' runs not counted (Airflow's
   * active non-backfill runs, which its maxActiveRuns bounds when scheduled runs are created).
   * A DAG with none is absent.
   */
  countActiveRuns(dagIds: readonly string[]): Promise<Map<string, number>>;
  /**
   * The latest run (by logical date) of a DAG strictly before `logicalDate`: of any type and state,
   * or only of `filter.runTypes` / in `filter.state`.
   */
  getPreviousRun(dagId: string, logicalDate: EpochMs, filter?: PreviousRunFilter): Promise<RunRecord | undefined>;
  listTaskInstances(runPk: number): Promise<TaskInstanceRecord[]>;
  /** Task instances of many runs at once (scheduler recovery). */
  listTaskInstancesForRuns(runPks: number[]): Promise<TaskInstanceRecord[]>;
  /**
   * What the grid shows of each task instance of these runs — state and try only — ordered like
   * {@link listTaskInstancesForRuns}: a narrow read (no outputs, errors or sensor state).
   */
  listTaskCellsForRuns(runPks: number[]): Promise<TaskCell[]>;
  listTaskInstancesInStates(states: TaskState[]): Promise<TaskInstanceRecord[]>;
  listAttempts(runPk: number, taskId?: string): Promise<AttemptRecord[]>;
  /**
   * Writes a unit of work atomically (one transaction). With a `fence`, nothing is written and a
   * FencedError is thrown when that scheduler's lease is fenced (docs/adr/0007).
   */
  commit(changes: ChangeSet, fence?: CommitFence): Promise<void>;

  // Pools
  listPools(): Promise<PoolRecord[]>;
  getPool(name: string): Promise<PoolRecord | undefined>;
  upsertPool(pool: PoolRecord): Promise<void>;
  /** Returns false when the pool does not exist. */
  deletePool(name: string): Promise<boolean>;

  // Backfills
  createBackfill(backfill: NewBackfill): Promise<BackfillRecord>;
  getBackfill(id: number): Promise<BackfillRecord | undefined>;
  listBackfills(filter: { dagId?: string; states?: BackfillRecord["state"][] }): Promise<BackfillRecord[]>;
  /**
   * Pauses or unpauses a backfill that has not ended (state queued or running): the backfill as
   * it is now, or undefined when there is none with this id. A backfill that ended is returned
   * unchanged (it is never paused after the fact).
   */
  setBackfillPaused(id: number, paused: boolean): Promise<BackfillRecord | undefined>;

  // Liveness
  /** Records a scheduler's heartbeat. */
  heartbeat(component: string, id: string, at: EpochMs): Promise<void>;
  listHeartbeats(component: string): Promise<{ id: string; at: EpochMs }[]>;
}
