import type { EpochMs } from "../model/records.js";
import type { RunState, RunType, TaskState } from "../model/states.js";

/** What a task may know about a run of another DAG. */
export interface DagRunSummary {
  dagId: string;
  runId: string;
  runType: RunType;
  state: RunState;
  logicalDate: EpochMs | null;
  startedAt: EpochMs | null;
  endedAt: EpochMs | null;
  /** Why the run ended the way it did when it isn't its leaves (deadlock, timeout, cancelled…). */
  note: string | null;
  createdAt: EpochMs;
}

export interface TaskInstanceSummary {
  taskId: string;
  /** -1 for an unmapped task. */
  mapIndex: number;
  state: TaskState;
}

export interface TriggerRunRequest {
  /** Validated against the target DAG's params (InvalidInputError naming the field). */
  conf?: Record<string, unknown>;
  /** Default: `manual__<logical date>`. */
  runId?: string;
  /** Default: now. */
  logicalDate?: EpochMs;
}

/**
 * Runs of other DAGs, for cross-DAG operators (`triggerDag`, `externalTaskSensor`). Tasks have
 * no store: in a task runner this is answered by the executor's process over IPC (like the
 * SecretsResolver); the CLI's composition roots implement it on the store.
 */
export interface DagRunsGateway {
  /**
   * Queues a manual run of the DAG's latest version and wakes the scheduler. Idempotent by
   * (dagId, runId): when that run exists, it is returned with `created: false` and nothing changes.
   * NotFoundError when the DAG is unknown or inactive; InvalidInputError for bad conf or run id.
   */
  triggerRun(dagId: string, req: TriggerRunRequest): Promise<{ run: DagRunSummary; created: boolean }>;
  /** Clears every task instance of the run so that it runs again; resolves once the scheduler applied it. */
  resetRun(dagId: string, runId: string): Promise<DagRunSummary>;
  getRun(dagId: string, runId: string): Promise<DagRunSummary | null>;
  /** The DAG's runs whose logical date is exactly `logicalDate`, newest first. */
  findRuns(dagId: string, logicalDate: EpochMs): Promise<DagRunSummary[]>;
  /** The run's task instances (all, or those of `taskIds`); NotFoundError when the run is unknown. */
  taskStates(dagId: string, runId: string, taskIds?: string[]): Promise<TaskInstanceSummary[]>;
  /** The DAG's task ids (latest version) and whether it is paused; null when unknown or inactive. */
  describeDag(dagId: string): Promise<{ taskIds: string[]; paused: boolean } | null>;
  /** Whether a scheduler has recently heart-beaten into this database (queued runs will start). */
  schedulerAlive(): Promise<boolean>;
}

export const DAG_RUNS_GATEWAY_OPS = ["triggerRun", "resetRun", "getRun", "findRuns", "taskStates", "describeDag", "schedulerAlive"] as const;
export type DagRunsGatewayOp = (typeof DAG_RUNS_GATEWAY_OPS)[number];

/**
 * Where a TaskContext carries its DagRunsGateway: a non-enumerable property under this symbol,
 * read by the cross-DAG operators. It is not part of the public TaskContext.
 */
export const DAG_RUNS_GATEWAY: unique symbol = Symbol.for("baton.dag-runs-gateway");
