import type { AlertAnomaly } from "../model/alerts.js";
import type { TaskSpec } from "../model/dag-spec.js";
import type { EpochMs } from "../model/records.js";
import type { SensorWait, TriggerSpec } from "../sensors/sensor-wait.js";

/** The serializable run context an attempt receives (the task runner turns it into TaskContext). */
export interface AttemptContext {
  dagId: string;
  runId: string;
  runType: "scheduled" | "manual" | "backfill" | "dataset" | "event";
  logicalDate: EpochMs | null;
  dataIntervalStart: EpochMs | null;
  dataIntervalEnd: EpochMs | null;
  /** DAG time zone, for `ds` and friends. */
  timezone: string;
  /** Params after defaults and the run's conf were merged and validated. */
  params: Record<string, unknown>;
  conf: Record<string, unknown>;
  /**
   * The DAG's latest run before this one (by logical date) that succeeded, of any type (Airflow's
   * prev_*_success); null when there is none or this run has no logical date. Absent from a
   * scheduler older than the field.
   */
  prevSuccess?: PrevSuccessRun | null;
}

/** What a task sees of the previous successful run (Airflow's prev_data_interval_*_success, prev_*_date_success). */
export interface PrevSuccessRun {
  runId: string;
  logicalDate: EpochMs | null;
  dataIntervalStart: EpochMs | null;
  dataIntervalEnd: EpochMs | null;
  startedAt: EpochMs | null;
  endedAt: EpochMs | null;
}

/** One attempt of one task instance, handed to an executor. */
export interface AttemptRequest {
  /** Unique key: `${runPk}/${taskId}/${mapIndex}/${tryNumber}`. */
  attemptId: string;
  runPk: number;
  taskId: string;
  mapIndex: number;
  tryNumber: number;
  maxTries: number;
  /** Compiled module of the DAG version the run uses. */
  bundlePath: string;
  task: TaskSpec;
  context: AttemptContext;
  /** Upstream return values by input name (JSON-decoded). */
  inputs: Record<string, unknown>;
  /** Where the attempt's output (stdout, stderr, logger) goes. */
  logPath: string;
  /** Largest JSON-encoded return value accepted, in bytes. */
  maxOutputBytes: number;
  /** A sensor in reschedule mode resuming: its first poke and pokes so far (the timeout spans reschedules). */
  sensor?: SensorWait | null;
  /** W3C Trace Context of the attempt's span when tracing is on (docs/tracing.md): the task's own spans are its children. */
  traceparent?: string;
}

export type AttemptOutcome =
  /**
   * `output` is the JSON text of the return value, or null for undefined. Secrets the attempt
   * obtained are masked (`***`) in it, unless the value is `sensitive` (the task's option): then
   * it is the real value, which the scheduler stores sealed (see OutputSealer). `metrics` are
   * the values the task reported with `ctx.metric` (absent when none; docs/anomalies.md).
   */
  | { kind: "success"; output: string | null; followed?: string[] | null; sensitive?: true; metrics?: Record<string, number> }
  /** `retryable: false` for FailTask, oversize outputs and other errors retrying cannot fix. */
  | { kind: "failed"; error: string; retryable: boolean }
  | { kind: "skipped"; reason: string }
  | { kind: "timeout"; error: string }
  /** The process running the attempt died (signal, OOM, exit). */
  | { kind: "crashed"; error: string }
  /**
   * The machine, not the task, failed the attempt: its log could not be written (disk full,
   * read-only or failing file system) while the attempt would have used up a try. The try is
   * given back and the attempt runs again after a wait (docs/executor.md).
   */
  | { kind: "infra_failed"; error: string }
  /** A sensor in reschedule mode said "not yet": run it again at `at`, same try, slot freed. */
  | { kind: "reschedule"; at: EpochMs; firstPokeAt: EpochMs; pokes: number }
  /** A sensor in deferred mode said "not yet": the triggerer runs `trigger`, no slot held. */
  | { kind: "deferred"; trigger: TriggerSpec; firstPokeAt: EpochMs; pokes: number };

export interface AttemptReport {
  attemptId: string;
  outcome: AttemptOutcome;
  startedAt: EpochMs;
  endedAt: EpochMs;
  pid: number | null;
  /** The remote worker that ran it (docs/workers.md); absent for the local pool. */
  worker?: string;
}

/** A new row of the remote-attempts mailbox (`NewRemoteAttempt` in core/model/workers.ts). */
export interface RemoteAttemptRow {
  attemptId: string;
  runPk: number;
  schedulerId: string;
  queue: string;
  request: AttemptRequest;
  /** `request` as JSON, when the caller has it already (written as is, and sent to the worker as is). */
  requestJson?: string;
  createdAt: EpochMs;
  /**
   * Written `assigned` to this worker at once (an API server in the scheduler's own process chose
   * it: no claim follows); absent: `queued`, for the API servers to claim.
   */
  workerId?: string;
}

/** How an executor tells the scheduler what happened. Called on the scheduler's event loop. */
export interface ExecutorListener {
  /** `worker`: the remote worker that started it (docs/workers.md); absent for the local pool. */
  started(attemptId: string, at: EpochMs, pid: number | null, worker?: string): void;
  finished(report: AttemptReport): void;
}

/** Runs attempts somewhere: the local process pool, remote workers (docs/executor.md, docs/workers.md). */
export interface Executor {
  /** Attempts that can run at the same time. */
  readonly capacity: number;
  /**
   * Attempts of `queue` (the task's `queue` option, `"default"` when absent) that may be in flight
   * at once: the scheduler counts slots per queue, so a queue without workers never blocks the
   * others (docs/workers.md, "Queues and routing"). Optional: without it, `capacity` is one window
   * shared by every queue (an executor that runs everything itself).
   */
  capacityFor?(queue: string): number;
  /**
   * Attempts of `queue` the scheduler may record as `queued` beyond the slots above and hold
   * itself, each handed over the moment a slot frees: the commit that makes the next attempts
   * durable then overlaps the ones running instead of sitting between them (docs/executor.md,
   * "Dispatch window"). The executor never holds more than its slots. Optional: without it, 0.
   */
  stagingFor?(queue: string): number;
  /**
   * Whether attempts of `queue` are handed out through a row the scheduler writes in its own
   * commit ({@link handOffRow}) instead of by the executor after that commit. Optional: without
   * it, never.
   */
  handsOffInCommit?(queue: string): boolean;
  /**
   * The record that hands `request` out (a remote attempt's mailbox row, docs/workers.md "Handed
   * out in the scheduler's commit"), for the scheduler to write in the commit that makes the
   * attempt `queued` durable; asked only when {@link handsOffInCommit} says so, once the attempt
   * has an executor slot. The executor holds the attempt from then on: once that commit is
   * durable the scheduler calls {@link submit} (even while it stops: the row is written), and the
   * executor writes nothing more to hand it out. A cancel before then is taken as for a submitted
   * attempt.
   */
  handOffRow?(request: AttemptRequest): RemoteAttemptRow;
  start(listener: ExecutorListener): Promise<void>;
  submit(request: AttemptRequest): void;
  /** Stops an attempt (cleared or run timed out); it finishes as failed, not retried by the executor. */
  cancel(attemptId: string, reason: string): void;
  /** Stops taking work; waits up to `graceMs` for running attempts, then kills them. */
  shutdown(graceMs: number): Promise<void>;
  /**
   * The scheduler's lease keep-alive: attempts may go on running for `forMs` more ms; an executor
   * whose work runs elsewhere stops it once that passes without another call (docs/adr/0007).
   * Optional: an in-process executor stops with its scheduler anyway.
   */
  keepAlive?(forMs: number): void;
  /**
   * Runs a user callback function in a worker process, never in the scheduler's (docs/alerts.md):
   * resolves with how it went, after `timeoutMs` at the latest; never rejects. Optional: without
   * it, callback functions are logged as not run.
   */
  runCallback?(request: CallbackRequest): Promise<CallbackOutcome>;
}

/** One callback function to run: found in the bundle by its index, given the context as JSON. */
export interface CallbackRequest {
  /** For logs: `${runPk}/${taskId or "run"}/${mapIndex}/${tryNumber}/${event}#${index}`. */
  callbackId: string;
  bundlePath: string;
  dagId: string;
  /** Its index among the DAG's callback functions (CallbackTarget.index). */
  index: number;
  context: CallbackContextData;
  timeoutMs: number;
  /** Where its log lines go (the attempt's log for a task-level callback), or null. */
  logPath: string | null;
}

/** The serializable callback context (the worker turns it into the SDK's CallbackContext). */
export interface CallbackContextData {
  event: "failure" | "success" | "retry" | "execute" | "skipped" | "deadline_missed" | "anomaly";
  dagId: string;
  runId: string;
  logicalDate: EpochMs | null;
  taskId: string | null;
  mapIndex: number;
  tryNumber: number;
  state: string;
  error: { message: string; stack: string | null } | null;
  runUrl: string;
  logUrl: string | null;
  /** An `anomaly` callback's evidence. */
  anomaly?: AlertAnomaly;
  params: Record<string, unknown>;
  conf: Record<string, unknown>;
}

export type CallbackOutcome = { status: "ok" } | { status: "failed"; error: string } | { status: "timed_out"; error: string };
