import { InvalidInputError } from "../core/errors.js";
import { DEFAULT_POOL, type TaskSpec } from "../core/model/dag-spec.js";
import { DEFAULT_QUEUE, QUEUE_NAME } from "../core/model/workers.js";
import { parseDuration } from "../core/model/duration.js";
import { TRIGGER_RULES, type TriggerRule } from "../core/model/states.js";
import { DATASET_OPTION_KEYS, type DatasetOptions } from "./dataset-options.js";
import { checkBoolean, checkInteger, checkKnownKeys, checkOneOf, checkString, show } from "./option-checks.js";
import type { TaskRef, Upstream } from "./task-ref.js";
import { resolveExpectedDuration } from "./deadline-options.js";
import { TASK_CALLBACK_KEYS, type CallbackOptions } from "./callback-options.js";

/** A duration: milliseconds, or text such as "30s", "15m", "2h", "1h30m". */
export type Duration = number | string;

/** How a task is retried, limited and prioritised; also the shape of a DAG's `defaults`. */
export interface TaskPolicyOptions {
  /** Extra attempts after a failure. Default 0. */
  retries?: number;
  /** Wait before a retry. Default "300s". */
  retryDelay?: Duration;
  /** Double the delay on each retry (capped by maxRetryDelay). Default false. */
  retryExponentialBackoff?: boolean;
  /** Cap on the retry delay with backoff. Default none. */
  maxRetryDelay?: Duration | null;
  /** An attempt running longer is stopped and fails (it may be retried). Default none. */
  timeout?: Duration | null;
  /** When the task may run given its upstreams' states. Default "all_success". */
  triggerRule?: TriggerRule;
  /** Pool whose slots the task takes while running. Default "default_pool". */
  pool?: string;
  /** Slots taken in the pool. Default 1. */
  poolSlots?: number;
  /** Higher runs first when slots are short. Default 1. */
  priorityWeight?: number;
  /** Run only when this task succeeded (or was skipped) in the previous run. Default false. */
  dependsOnPast?: boolean;
  /**
   * Also wait until this task's direct downstreams succeeded (or were skipped) in the previous
   * run (Airflow's wait_for_downstream); implies dependsOnPast. Default false.
   */
  waitForDownstream?: boolean;
  /**
   * An attempt running longer than this has missed its deadline (recorded once per try, the
   * attempt goes on; docs/deadlines.md). Default none.
   */
  expectedDuration?: Duration | null;
  /**
   * The queue its attempts go to (docs/workers.md): the local pool of a standalone or scheduler
   * serves `"default"`; remote workers (`baton worker --queues gpu`) serve the queues they listen
   * on. 1–64 letters, digits, `_`, `-` and `.`. Default "default".
   */
  queue?: string;
}

/**
 * Setup and teardown (Airflow's `as_setup()` / `as_teardown()`; docs/trigger-rules.md, "Setup and
 * teardown"): a setup makes a resource (a cluster, a scratch schema) the tasks after it use, a
 * teardown removes it, even when the work failed.
 */
export interface SetupTeardownOptions {
  /**
   * A setup task. Every task between it and its teardown needs it to have succeeded (else it is
   * upstream_failed, or skipped when the setup was skipped), whatever its trigger rule. Default false.
   */
  setup?: boolean;
  /**
   * A teardown task: it runs once its upstreams are done, if one of its setups succeeded (its
   * trigger rule is fixed, `all_done_setup_success`), and is skipped when they were all skipped.
   * Its state does not decide the run's unless `failRun` (Airflow's `on_failure_fail_dagrun`).
   * `setups`: the setup tasks whose resource it removes; they become its upstreams. Default false.
   */
  teardown?: boolean | TeardownOptions;
}

export interface TeardownOptions {
  /** The setup task(s) it tears down (task refs or ids); added to its upstreams. */
  setups?: Upstream | readonly Upstream[];
  /** A failed teardown fails the run (Airflow's `on_failure_fail_dagrun`). Default false. */
  failRun?: boolean;
}

/** Upstream tasks whose return values a task receives, by input name. */
export type Inputs = Record<string, TaskRef<unknown>>;

/** The values a task function receives for its `inputs`. */
export type InputValues<I> = { [K in keyof I]: I[K] extends TaskRef<infer U> ? U : never };

/** Options of `task()`, `branch()` and `shortCircuit()`; `P` is the DAG's params type (for callbacks). */
export interface TaskOptions<I extends Inputs = Inputs, P = Record<string, unknown>>
  extends TaskPolicyOptions, DatasetOptions, TaskCallbackOptions<P>, SetupTeardownOptions {
  /** Data dependencies: each value is an upstream task whose return value is passed in. */
  inputs?: I;
  /** Ordering dependencies without data: tasks (or task ids) that must finish first. */
  after?: Upstream | readonly Upstream[];
  /** Markdown shown in the UI. */
  doc?: string;
  /**
   * The return value is a secret: it is stored encrypted (the connections' key, AES-256-GCM),
   * shown as `"***"` by the API, UI and CLI, and handed unchanged to the downstream tasks that
   * take it as an input. Without it, any secret the task obtained through `ctx.connection()` or
   * `ctx.variable()` is masked (`***`) in the stored value, and downstream tasks receive `***`.
   * Default false. See docs/connections.md.
   */
  sensitive?: boolean;
}

/** A task's callbacks (`onDeadlineMissed` and `onAnomaly` are DAG-level only). */
export type TaskCallbackOptions<P = Record<string, unknown>> = Omit<CallbackOptions<P>, "onDeadlineMissed" | "onAnomaly">;

export const POLICY_KEYS = [
  "retries",
  "retryDelay",
  "retryExponentialBackoff",
  "maxRetryDelay",
  "timeout",
  "triggerRule",
  "pool",
  "poolSlots",
  "priorityWeight",
  "dependsOnPast",
  "waitForDownstream",
  "expectedDuration",
  "queue",
] as const;
export const TASK_OPTION_KEYS = [
  ...POLICY_KEYS,
  ...DATASET_OPTION_KEYS,
  "inputs",
  "after",
  "doc",
  "sensitive",
  "map",
  "partial",
  "maxMapLength",
  "maxActiveCopies",
  "setup",
  "teardown",
  ...TASK_CALLBACK_KEYS,
] as const;
export const SHELL_OPTION_KEYS = [
  ...POLICY_KEYS,
  ...DATASET_OPTION_KEYS,
  "after",
  "doc",
  "command",
  "env",
  "cwd",
  "setup",
  "teardown",
  ...TASK_CALLBACK_KEYS,
] as const;

export type TaskPolicy = Pick<
  TaskSpec,
  | "retries"
  | "retryDelayMs"
  | "retryExponentialBackoff"
  | "maxRetryDelayMs"
  | "executionTimeoutMs"
  | "triggerRule"
  | "pool"
  | "poolSlots"
  | "priorityWeight"
  | "dependsOnPast"
  | "waitForDownstream"
  | "expectedDurationMs"
  | "queue"
>;

/** Checks a DAG's `defaults`. Throws InvalidInputError naming the key. */
export function checkPolicyOptions(options: TaskPolicyOptions): void {
  checkKnownKeys(options, POLICY_KEYS, "default task option");
  resolveTaskPolicy({}, options);
}

/**
 * The task's policy: its own option, else the DAG's `defaults`, else Baton's default (Airflow's).
 * Throws InvalidInputError naming the key and the valid values.
 */
export function resolveTaskPolicy(own: TaskPolicyOptions, defaults: TaskPolicyOptions): TaskPolicy {
  const pick = <K extends keyof TaskPolicyOptions>(key: K): TaskPolicyOptions[K] => (own[key] !== undefined ? own[key] : defaults[key]);
  const retryDelayMs = duration(pick("retryDelay") ?? 300_000, "retryDelay");
  const maxRetryDelay = pick("maxRetryDelay");
  const timeout = pick("timeout");
  return {
    retries: checkInteger(pick("retries") ?? 0, "retries", 0),
    retryDelayMs,
    retryExponentialBackoff: checkBoolean(pick("retryExponentialBackoff") ?? false, "retryExponentialBackoff"),
    maxRetryDelayMs: maxRetryDelay == null ? null : duration(maxRetryDelay, "maxRetryDelay"),
    executionTimeoutMs: timeout == null ? null : positive(duration(timeout, "timeout"), "timeout"),
    triggerRule: checkOneOf(pick("triggerRule") ?? "all_success", "triggerRule", TRIGGER_RULES),
    pool: checkString(pick("pool") ?? DEFAULT_POOL, "pool"),
    poolSlots: checkInteger(pick("poolSlots") ?? 1, "poolSlots", 1),
    priorityWeight: checkInteger(pick("priorityWeight") ?? 1, "priorityWeight", Number.MIN_SAFE_INTEGER),
    ...pastPolicy(pick("dependsOnPast"), pick("waitForDownstream")),
    ...expectedDuration(pick("expectedDuration")),
    ...queue(pick("queue")),
  };
}

/** waitForDownstream implies dependsOnPast (as in Airflow); only a task that sets it carries it. */
function pastPolicy(dependsOnPast: unknown, waitForDownstream: unknown): Pick<TaskSpec, "dependsOnPast" | "waitForDownstream"> {
  const wait = checkBoolean(waitForDownstream ?? false, "waitForDownstream");
  const past = checkBoolean(dependsOnPast ?? false, "dependsOnPast");
  return wait ? { dependsOnPast: true, waitForDownstream: true } : { dependsOnPast: past };
}

/** Only a task on a queue other than "default" carries `queue`: other specs are unchanged. */
function queue(value: unknown): Pick<TaskSpec, "queue"> {
  if (value === undefined) return {};
  if (typeof value !== "string" || !QUEUE_NAME.test(value)) {
    throw new InvalidInputError(`queue must be a queue name of 1-64 letters, digits, _ - and . (e.g. "gpu"), got ${show(value)}`);
  }
  return value === DEFAULT_QUEUE ? {} : { queue: value };
}

/** Only a task that sets it carries `expectedDurationMs`. */
function expectedDuration(value: unknown): Pick<TaskSpec, "expectedDurationMs"> {
  const ms = resolveExpectedDuration(value);
  return ms === null ? {} : { expectedDurationMs: ms };
}

function duration(value: unknown, key: string): number {
  if (typeof value !== "number" && typeof value !== "string") {
    throw new InvalidInputError(`${key} must be a number of ms or text like "30s", got ${show(value)}`);
  }
  return parseDuration(value, key);
}

function positive(ms: number, key: string): number {
  if (ms === 0) throw new InvalidInputError(`${key} must be greater than 0; leave it out (or null) for no limit`);
  return ms;
}
