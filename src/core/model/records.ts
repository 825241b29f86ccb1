import type { DagSpec } from "./dag-spec.js";
import type { SensorWait } from "../sensors/sensor-wait.js";
import type { RunState, RunType, TaskState } from "./states.js";

/** Times are epoch milliseconds (UTC) everywhere in records. */
export type EpochMs = number;

export interface DagRecord {
  dagId: string;
  fileloc: string;
  paused: boolean;
  /** False once the DAG's file no longer defines it. */
  active: boolean;
  latestVersion: string;
  /** Logical date (interval start) of the latest scheduled run created, for catch-up. */
  lastScheduledLogicalDate: EpochMs | null;
  createdAt: EpochMs;
  updatedAt: EpochMs;
}

export interface DagVersionRecord {
  /** Content hash (sha256 hex) of the bundled file plus dag id. */
  versionHash: string;
  dagId: string;
  spec: DagSpec;
  /** The user's source text, for the code view. */
  source: string;
  /** Absolute path of the compiled ES module the task runner imports for this version. */
  bundlePath: string;
  createdAt: EpochMs;
}

export interface ImportErrorRecord {
  file: string;
  line: number | null;
  column: number | null;
  message: string;
  at: EpochMs;
}

/**
 * A problem found in a DAG file that does not stop it loading (a type error found by the
 * background type check, docs/authoring.md): shown beside the import errors as a warning.
 */
export interface ImportWarningRecord extends ImportErrorRecord {
  /** TypeScript's diagnostic code (e.g. 2322), null when none. */
  code: number | null;
}

export interface RunRecord {
  /** Surrogate key assigned by the store. */
  id: number;
  dagId: string;
  runId: string;
  runType: RunType;
  state: RunState;
  logicalDate: EpochMs | null;
  dataIntervalStart: EpochMs | null;
  dataIntervalEnd: EpochMs | null;
  /** Not before this time. */
  runAfter: EpochMs;
  conf: Record<string, unknown>;
  dagVersion: string;
  backfillId: number | null;
  startedAt: EpochMs | null;
  endedAt: EpochMs | null;
  /** Why a run ended the way it did when it isn't its leaves (deadlock, timeout, cancelled…). */
  note: string | null;
  createdAt: EpochMs;
  /** Who asked for a manual run (`ada`, `local`, `cli:<os user>`, `webhook`); null or absent when the scheduler created it. */
  triggeredBy?: string | null;
}

export type NewRun = Omit<RunRecord, "id" | "startedAt" | "endedAt" | "note" | "createdAt"> & {
  createdAt?: EpochMs;
};

export interface TaskInstanceRecord {
  runPk: number;
  taskId: string;
  /** -1 for an unmapped task. */
  mapIndex: number;
  state: TaskState;
  /** Attempts started so far (0 before the first). */
  tryNumber: number;
  /** Total attempts allowed (retries + 1), infrastructure tries not counted (see {@link infraTries}). */
  maxTries: number;
  /**
   * Tries the machine failed, not the task (`infra_failed`, or interrupted because their
   * scheduler was lost): counted in `tryNumber` (try numbers only increase) but not against
   * `maxTries` (core/retry/may-retry.ts). Absent when 0.
   */
  infraTries?: number;
  priority: number;
  pool: string;
  poolSlots: number;
  queuedAt: EpochMs | null;
  startedAt: EpochMs | null;
  endedAt: EpochMs | null;
  /** When an up_for_retry instance may run again, or an up_for_reschedule sensor poke again. */
  nextRetryAt: EpochMs | null;
  /** JSON text of the return value (null when the task returned nothing). */
  output: string | null;
  error: string | null;
  /** For branch tasks: the direct downstream ids chosen (JSON array), else null. */
  followed: string[] | null;
  /**
   * A sensor in reschedule or deferred mode (up_for_reschedule, deferred, and the poke after a
   * reschedule): its progress across pokes; null (or absent) otherwise.
   */
  sensorWait?: SensorWait | null;
  updatedAt: EpochMs;
}

export interface AttemptRecord {
  runPk: number;
  taskId: string;
  mapIndex: number;
  tryNumber: number;
  state: TaskState;
  startedAt: EpochMs | null;
  endedAt: EpochMs | null;
  error: string | null;
  logPath: string | null;
  pid: number | null;
  /** The remote worker that ran it (docs/adr/0008-remote-workers.md); null for the local pool. */
  worker: string | null;
}

export interface PoolRecord {
  name: string;
  slots: number;
  description: string;
}

export type ReprocessBehavior = "none" | "failed" | "completed";

export interface BackfillRecord {
  id: number;
  dagId: string;
  fromDate: EpochMs;
  toDate: EpochMs;
  reprocess: ReprocessBehavior;
  maxActiveRuns: number;
  conf: Record<string, unknown>;
  state: "queued" | "running" | "done" | "cancelled";
  /** Paused (Airflow 3's `is_paused`): the scheduler starts none of its queued runs; running ones go on. */
  paused: boolean;
  createdAt: EpochMs;
  endedAt: EpochMs | null;
}

/** Requests to change runs and task instances, applied by the scheduler (the one writer of run state). */
export type CommandKind = "clear_run" | "clear_tasks" | "mark_run" | "mark_tasks" | "cancel_run" | "cancel_backfill";

export interface CommandPayloads {
  /** Reset task instances to none and run again; `onlyFailed` keeps successful ones. */
  clear_run: { dagId: string; runId: string; onlyFailed: boolean };
  /** Reset these task instances (and, with `downstream`, everything downstream of them). */
  clear_tasks: { dagId: string; runId: string; taskIds: string[]; downstream: boolean };
  /** Set the run's state; unfinished task instances become success (or skipped when failed). */
  mark_run: { dagId: string; runId: string; state: "success" | "failed" };
  mark_tasks: { dagId: string; runId: string; taskIds: string[]; state: "success" | "failed" };
  /** Stop a queued or running run: running attempts are killed, the run fails with a note. */
  cancel_run: { dagId: string; runId: string };
  /** No more runs for it; its queued runs fail with a note; running ones finish. */
  cancel_backfill: { backfillId: number };
}

export interface CommandRecord<K extends CommandKind = CommandKind> {
  id: number;
  kind: K;
  payload: CommandPayloads[K];
  requestedBy: string | null;
  createdAt: EpochMs;
  /** Null while pending. */
  appliedAt: EpochMs | null;
  /** What happened ("ok", or why it could not be applied). */
  result: string | null;
}

export const ROLES = ["viewer", "user", "op", "admin"] as const;
/** viewer reads; user also triggers, clears, marks, pauses; op also manages pools and backfills; admin also users. */
export type Role = (typeof ROLES)[number];

export interface UserRecord {
  username: string;
  role: Role;
  /** scrypt hash in PHC-like text form: `scrypt$N$r$p$salt$hash` (base64). */
  passwordHash: string;
  disabled: boolean;
  createdAt: EpochMs;
}

export interface ApiTokenRecord {
  /** Public id (also the token's prefix). */
  id: string;
  username: string;
  name: string;
  /** Role the token acts with (never above its user's). */
  role: Role;
  /** sha256 of the secret part, hex. */
  secretHash: string;
  createdAt: EpochMs;
  expiresAt: EpochMs | null;
  lastUsedAt: EpochMs | null;
}

export interface SessionRecord {
  /** sha256 of the cookie value, hex. */
  idHash: string;
  username: string;
  csrfToken: string;
  createdAt: EpochMs;
  expiresAt: EpochMs;
}

/** A dataset was updated: by a task with it in its outlets that succeeded, or from outside (API). */
export interface DatasetEventRecord {
  /** Assigned by the store, increasing: consumers keep the last id they consumed. */
  id: number;
  uri: string;
  /** The task attempt that produced it; null for an external event. */
  source: DatasetEventSource | null;
  /** Free-form JSON given with an external event (row counts, partitions…); `{}` otherwise. */
  extra: Record<string, unknown>;
  createdAt: EpochMs;
}

export interface DatasetEventSource {
  dagId: string;
  runId: string;
  taskId: string;
  tryNumber: number;
}

export type NewDatasetEvent = Omit<DatasetEventRecord, "id">;
