import type { DagRecord, DagVersionRecord, EpochMs, PoolRecord, RunRecord, TaskInstanceRecord } from "../model/records.js";
import type { QueueDepth, RemoteAttemptState } from "../model/workers.js";

/**
 * Why a DAG, a run or a task instance is not running (docs/explain.md). Every reason has a stable
 * `code`, a sentence for people (`message`) and the facts it was computed from (`facts`: plain
 * JSON, times as ISO 8601 UTC strings).
 */
export const EXPLAIN_CODES = [
  // The DAG and its schedule
  "dag_paused",
  "dag_inactive",
  "no_schedule",
  "waiting_for_datasets",
  "next_run",
  "before_start_date",
  "schedule_ended",
  // Runs
  "run_not_due",
  "backfill_paused",
  "max_active_runs",
  "queued_behind",
  "waiting_for_scheduler_tick",
  "dag_version_missing",
  "run_queued",
  "run_running",
  "run_finished",
  "run_not_started",
  "deadlocked",
  "task_waiting",
  // Task instances
  "upstream_waiting",
  "upstream_will_decide",
  "depends_on_past",
  "pool_full",
  "pool_missing",
  "pool_too_small",
  "max_active_tasks",
  "max_active_copies",
  "waiting_for_worker",
  "queued_for_worker",
  "retry_wait",
  "sensor_rescheduled",
  "sensor_deferred",
  "mapped_copies",
  "finished",
  // Processes
  "no_scheduler",
] as const;
export type ExplainCode = (typeof EXPLAIN_CODES)[number];

export interface ExplainReason {
  code: ExplainCode;
  message: string;
  facts: Record<string, unknown>;
}

export interface Explanation {
  /** The DAG's state (`paused`, `inactive`, `running`, `idle`), or the run's or task instance's state. */
  state: string;
  /** True when something is executing: a DAG with a running run, a running run, a running attempt. */
  running: boolean;
  reasons: ExplainReason[];
}

/** What the store says about the schedulers, for "no scheduler alive". */
export interface SchedulerFacts {
  /** Scheduler heartbeats (component "scheduler"); a beat at 0 means it stopped cleanly. */
  heartbeats: { id: string; at: EpochMs }[];
  /** A heartbeat younger than this counts as alive. */
  freshMs: number;
  /** Scheduler leases (several-schedulers mode) when the store keeps them; fenced ones are dead. */
  leases?: { id: string; host: string; pid: number; beatAt: EpochMs; fencedAt: EpochMs | null }[];
}

/** A task instance holding a slot, named for people. */
export interface Holder {
  dagId: string;
  runId: string;
  taskId: string;
  mapIndex: number;
  state: TaskInstanceRecord["state"];
  pool: string;
  poolSlots: number;
}

/** A run's own limit group: its DAG's runs (backfill null) or one backfill's. */
export interface RunGroupFacts {
  /** maxActiveRuns of the DAG's latest version, or of the backfill. */
  limit: number;
  backfillId: number | null;
  /** The backfill is paused: none of its queued runs starts (absent or false for a DAG's own runs). */
  paused?: boolean;
  /** The group's running runs (they hold the limit). */
  running: Pick<RunRecord, "runId" | "startedAt">[];
  /** The group's queued runs, in the order the scheduler starts them (oldest logical date first). */
  queued: Pick<RunRecord, "runId" | "logicalDate" | "runAfter">[];
}

export interface DagFacts {
  now: EpochMs;
  dag: DagRecord;
  version: DagVersionRecord;
  /** The DAG's own runs (not backfills'). */
  group: RunGroupFacts;
  schedulers: SchedulerFacts;
}

export interface RunFacts {
  now: EpochMs;
  dag: DagRecord | undefined;
  /** The version the run uses; undefined when the store lost it. */
  version: DagVersionRecord | undefined;
  run: RunRecord;
  /** The run's task instances (copies of mapped tasks included). */
  taskInstances: TaskInstanceRecord[];
  /** The limit group the run belongs to (meaningful while it is queued). */
  group: RunGroupFacts;
  slots: SlotFacts;
  /** depends_on_past: per task id, its instance in the previous run (not manual with catchup, any type without). */
  previous: PreviousRunFacts | null;
  schedulers: SchedulerFacts;
  /** Remote workers and their queues (docs/workers.md); absent when the store keeps none. */
  workers?: WorkerFacts;
}

/** Remote workers, for a task on a queue: who listens on it and what waits there. */
export interface WorkerFacts {
  /** Active workers per queue they listen on (draining, lost and stopped ones take no new work). */
  active: Record<string, number>;
  /** Per queue with remote attempts: queued in the mailbox, and assigned or running. */
  depths: QueueDepth[];
  /** The mailbox rows of the run's queued task instances, by attempt id (`runPk/taskId/mapIndex/tryNumber`). */
  attempts: Record<string, { queue: string; state: RemoteAttemptState; workerId: string | null }>;
}

/** What holds the slots a ready task instance needs. */
export interface SlotFacts {
  pools: PoolRecord[];
  /** Every queued or running task instance, of every DAG. */
  busy: Holder[];
  /** The DAG's latest maxActiveTasks (counted over all its runs). */
  maxActiveTasks: number;
}

export interface PreviousRunFacts {
  runId: string;
  logicalDate: EpochMs | null;
  taskInstances: Pick<TaskInstanceRecord, "taskId" | "mapIndex" | "state">[];
}
