import type { TriggerRule } from "./states.js";
import type { EventTriggerSpec } from "./event-trigger-spec.js";
import type { DeadlineSpec } from "./deadlines.js";
import type { CallbacksSpec } from "./callbacks.js";
import type { AlertPolicySpec } from "./alert-policy.js";
import type { OperatorLineage } from "./operator-lineage.js";

/**
 * The serialized form of a DAG: what the DAG processor emits after loading a user's file and
 * what the scheduler and the API read. Plain JSON; it never contains user code.
 */
export interface DagSpec {
  dagId: string;
  /** Absolute path of the file that defined the DAG. */
  fileloc: string;
  schedule: ScheduleSpec;
  /** Epoch ms (UTC) of the start of the first data interval; null = no scheduled runs before now. */
  startDate: number | null;
  /** Epoch ms; no run whose data interval starts after it. */
  endDate: number | null;
  /** IANA time zone used for cron schedules and for `ds`. */
  timezone: string;
  catchup: boolean;
  tags: string[];
  description: string | null;
  owner: string | null;
  /** JSON Schema (draft 2020-12) of the params object; `{}` when the DAG declares none. */
  paramsSchema: Record<string, unknown>;
  /** Default values of params, already validated against paramsSchema. */
  paramsDefaults: Record<string, unknown>;
  maxActiveRuns: number;
  maxActiveTasks: number;
  /** A run still going after this many ms is failed; its running tasks are stopped. */
  runTimeoutMs: number | null;
  /** Deadlines a run must be finished by (docs/deadlines.md); absent when none. */
  deadlines?: DeadlineSpec[];
  /** Event triggers (files, messages) that start runs of type "event"; absent (= none) in specs stored before them. */
  triggers?: EventTriggerSpec[];
  /** DAG-level callbacks (run success/failure, deadline missed); absent when none (docs/alerts.md). */
  callbacks?: CallbacksSpec;
  /** Time limit of one callback function of this DAG or its tasks; absent: 60 s. */
  callbackTimeoutMs?: number;
  /** The DAG's own alert policy keys; absent: the global defaults (docs/alerts.md). */
  alertPolicy?: Partial<AlertPolicySpec>;
  tasks: TaskSpec[];
}

export type ScheduleSpec =
  | { kind: "none" }
  | { kind: "once" }
  /** mode "interval": run for [D, next) after next (Airflow's CronDataIntervalTimetable);
   *  mode "trigger": run at the tick with a zero-width interval (CronTriggerTimetable). */
  | { kind: "cron"; expression: string; mode: "interval" | "trigger" }
  /** Fixed spacing anchored to startDate (DeltaDataIntervalTimetable). */
  | { kind: "every"; everyMs: number }
  /** A run once every listed dataset has been updated since the last dataset-triggered run. */
  | { kind: "datasets"; uris: string[] };

export type TaskKind = "function" | "shell" | "branch" | "short_circuit";

export interface TaskSpec {
  taskId: string;
  kind: TaskKind;
  /** Direct upstream task ids (ordering and data dependencies alike). */
  upstream: string[];
  /** Data dependencies: input name → upstream task id whose return value it receives. */
  inputs: Record<string, string>;
  /**
   * For inputs that receive one key of the upstream's return value instead of all of it
   * (`extract.key("rows")`, Airflow's multiple_outputs / xcom key): input name → the key path.
   * Absent when no input does.
   */
  inputKeys?: Record<string, string[]>;
  retries: number;
  retryDelayMs: number;
  retryExponentialBackoff: boolean;
  maxRetryDelayMs: number | null;
  executionTimeoutMs: number | null;
  triggerRule: TriggerRule;
  pool: string;
  poolSlots: number;
  priorityWeight: number;
  dependsOnPast: boolean;
  /**
   * Airflow's wait_for_downstream (implies dependsOnPast): the task's direct downstreams in the
   * previous run must also have succeeded or been skipped. Absent when false.
   */
  waitForDownstream?: true;
  /** For shell tasks: the command template when static (null when computed from the context). */
  command: string | null;
  /** 1-based line of the `task(...)` call in the DAG file, when known. */
  line: number | null;
  doc: string | null;
  /** Dataset URIs the task reads (lineage only). */
  inlets: string[];
  /** Dataset URIs the task writes: each success records an event on every one of them. */
  outlets: string[];
  /**
   * Dynamic task mapping: the task runs as one copy per element (map index 0…N-1) of the lists it
   * is mapped over; downstream tasks receive the list of the copies' results. Null (or absent, in
   * specs stored before mapping existed) for a normal task.
   */
  map?: MapSpec | null;
  /** An attempt running longer has missed its expected duration (docs/deadlines.md); absent when none. */
  expectedDurationMs?: number;
  /**
   * The queue its attempts go to (docs/workers.md): absent means "default", served by the local
   * pool (or, with `--workers 0`, by remote workers); other queues by remote workers only.
   */
  queue?: string;
  /** Task-level callbacks; absent when none (docs/alerts.md). */
  callbacks?: CallbacksSpec;
  /** Built-in operators: what they read and write (lineage only); absent for other tasks. */
  operator?: OperatorLineage;
  /**
   * A setup task (Airflow's `as_setup()`): it makes a resource the tasks after it use; those in its
   * scope need it to have succeeded (docs/trigger-rules.md, "Setup and teardown"). Absent when not.
   */
  setup?: true;
  /**
   * A teardown task (Airflow's `as_teardown()`): runs once its upstreams are done if one of its
   * setups succeeded (rule `all_done_setup_success`), and does not decide the run's state unless
   * `failRun` (Airflow's `on_failure_fail_dagrun`). `setups`: the setups it declared (also in
   * `upstream`). Absent when not.
   */
  teardown?: { setups: string[]; failRun: boolean };
}

/** How a mapped task expands (Airflow's `partial(...).expand(...)`). */
export interface MapSpec {
  /** Input name → upstream task id whose return value (a list) is expanded. */
  over: Record<string, string>;
  /** Input name → a literal list expanded like an upstream list. */
  values: Record<string, unknown[]>;
  /** Constant arguments every copy receives unchanged. */
  partial: Record<string, unknown>;
  /** The most copies one expansion may create; a longer list fails the task. */
  maxLength: number;
  /** The most copies of this task running at once in one run; null = only the usual limits. */
  maxActive: number | null;
}

/** Default of `maxMapLength` (Airflow's `max_map_length`). */
export const DEFAULT_MAX_MAP_LENGTH = 1024;

export const DEFAULT_POOL = "default_pool";

/** A dataset URI: a scheme, "://", and a non-empty rest ("warehouse://sales", "s3://raw/events"). */
export const DATASET_URI_PATTERN = /^[a-z][a-z0-9+.-]*:\/\/.+/;
