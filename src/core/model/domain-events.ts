import type { EpochMs } from "./records.js";
import type { RunState, TaskState } from "./states.js";

/**
 * What the scheduler's state changes look like to the rest of Baton (alerting, metrics, lineage,
 * audit, the API's live feed). Each event names one transition, `before` → `after`, and is
 * published only once the write it describes is durable; events of one commit keep the order in
 * which the scheduler made the changes. See docs/ARCHITECTURE.md, "Domain events".
 */

/**
 * Who made a change when it was not the scheduler's own doing: "user" for a manual mark or
 * cancel (a command from the API, UI or CLI). Callbacks are not fired for those (as in Airflow).
 */
export type ChangeCause = "user" | null;

/** Where a task instance or attempt belongs. */
export interface TaskRef {
  dagId: string;
  runId: string;
  /** The run's surrogate key in the store. */
  runPk: number;
  taskId: string;
  /** -1 for an unmapped task; the copy's index for a copy of a mapped task. */
  mapIndex: number;
  /** The task instance's try number after the change (0 before its first attempt). */
  tryNumber: number;
}

/**
 * A task instance changed state. `scheduled` (ready, waiting for a slot) is announced although the
 * store keeps showing `none` until the instance is queued.
 */
export interface TaskInstanceStateChanged extends TaskRef {
  kind: "task_instance_state_changed";
  before: TaskState;
  after: TaskState;
  at: EpochMs;
  /** The instance's error after the change (a failure's message, a cancel's note), else null. */
  error: string | null;
  /** "user" when a manual mark or cancel made the change; absent or null otherwise. */
  cause?: ChangeCause;
}

/**
 * An attempt (one try of a task instance) changed state: `before` is null when it is first
 * recorded (dispatched and started), else its previous state (`queued` when it was stopped before
 * starting, `running`, `deferred`). `after` is the state its history row records.
 */
export interface AttemptStateChanged extends TaskRef {
  kind: "attempt_state_changed";
  before: TaskState | null;
  after: TaskState;
  at: EpochMs;
  error: string | null;
}

/** A run changed state (queued → running → success/failed; a clear queues it again). */
export interface RunStateChanged {
  kind: "run_state_changed";
  dagId: string;
  runId: string;
  runPk: number;
  before: RunState;
  after: RunState;
  at: EpochMs;
  /** Why the run ended the way it did when it isn't its leaves (timeout, cancel, deadlock…), else null. */
  note: string | null;
  /** "user" when a manual mark or cancel made the change; absent or null otherwise. */
  cause?: ChangeCause;
}

/**
 * A run was not finished by one of its DAG's deadlines, or an attempt ran longer than its task's
 * `expectedDuration` (docs/deadlines.md). Published once per miss, by the scheduler that recorded
 * it (its insert won), after the record is durable; the run may still be going.
 */
export interface DeadlineMissed {
  kind: "deadline_missed";
  dagId: string;
  runId: string;
  runPk: number;
  /** null for a run's deadline. */
  taskId: string | null;
  /** -1 for a run's deadline or an unmapped task. */
  mapIndex: number;
  /** The late attempt's try number; 0 for a run's deadline. */
  tryNumber: number;
  /** Which deadline, in words: `logicalDate + 2h`, `expectedDuration 10m`… */
  deadline: string;
  /** When the run (attempt) had to be finished by. */
  dueAt: EpochMs;
  /** When the miss was detected and recorded (the event's time). */
  at: EpochMs;
}

export type DomainEvent = TaskInstanceStateChanged | AttemptStateChanged | RunStateChanged | DeadlineMissed;

/** A subscriber to domain events. It runs after the commit; an error it throws is logged and ignored. */
export type DomainEventListener = (event: DomainEvent) => void;
