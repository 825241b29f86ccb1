import type { AlertAnomaly } from "../model/alerts.js";
import type { CallbackEvent, CallbackOption, CallbacksSpec, CallbackTarget } from "../model/callbacks.js";
import { OPTION_OF_EVENT } from "../model/callbacks.js";
import type { DagSpec } from "../model/dag-spec.js";
import type { DomainEvent } from "../model/domain-events.js";

/** A moment callbacks may fire for: a task instance's try, or a run (taskId null, tryNumber 0). */
export interface Firing {
  event: CallbackEvent;
  dagId: string;
  runId: string;
  runPk: number;
  taskId: string | null;
  mapIndex: number;
  tryNumber: number;
  /** The task instance's or run's state after the change. */
  state: string;
  /** The error text (a failure's message with the user's stack), else null. */
  error: string | null;
  at: number;
  /** Where the deadline fired from (`logicalDate + 2h`…), for deadline_missed. */
  deadline?: string;
  /** The evidence, for anomaly. */
  anomaly?: AlertAnomaly;
}

/**
 * Which callback event a domain event is, or null when none fires (docs/alerts.md):
 * `up_for_retry` → retry; `failed`/`upstream_failed` → failure; `success` → success; `running`
 * (from queued, a new try starting) → execute; `skipped` → skipped; a run's `success`/`failed`
 * → the DAG's success/failure; a missed deadline → deadline_missed. A change a user made (mark,
 * cancel: `cause: "user"`) fires nothing, as in Airflow. O(1), no allocation when nothing fires.
 */
export function firingOf(event: DomainEvent): Firing | null {
  if (event.kind === "task_instance_state_changed") {
    if (event.cause === "user") return null;
    const kind = TASK_EVENTS[event.after];
    if (kind === undefined || (kind === "execute" && event.before !== "queued")) return null;
    return {
      event: kind,
      dagId: event.dagId,
      runId: event.runId,
      runPk: event.runPk,
      taskId: event.taskId,
      mapIndex: event.mapIndex,
      tryNumber: event.tryNumber,
      state: event.after,
      error: event.error,
      at: event.at,
    };
  }
  if (event.kind === "run_state_changed") {
    if (event.cause === "user" || (event.after !== "success" && event.after !== "failed")) return null;
    const kind = event.after === "success" ? "success" : "failure";
    return {
      event: kind,
      dagId: event.dagId,
      runId: event.runId,
      runPk: event.runPk,
      taskId: null,
      mapIndex: -1,
      tryNumber: 0,
      state: event.after,
      error: event.note,
      at: event.at,
    };
  }
  if ((event as { kind: string }).kind === "deadline_missed") {
    const e = event as unknown as {
      dagId: string;
      runId: string;
      runPk: number;
      taskId: string | null;
      mapIndex: number;
      tryNumber: number;
      deadline: string;
      dueAt: number;
      at: number;
    };
    return {
      event: "deadline_missed",
      dagId: e.dagId,
      runId: e.runId,
      runPk: e.runPk,
      taskId: e.taskId,
      mapIndex: e.mapIndex,
      tryNumber: e.tryNumber,
      state: "deadline_missed",
      error: `missed its deadline ${e.deadline} (due ${new Date(e.dueAt).toISOString()})`,
      at: e.at,
      deadline: e.deadline,
    };
  }
  return null;
}

const TASK_EVENTS: Partial<Record<string, CallbackEvent>> = {
  up_for_retry: "retry",
  failed: "failure",
  upstream_failed: "failure",
  success: "success",
  running: "execute",
  skipped: "skipped",
};

/** Options the DAG's own callbacks apply to every task instance (as Airflow's default_args). */
const DAG_OPTIONS_FOR_TASKS: readonly CallbackOption[] = ["onRetry", "onExecute", "onSkipped"];

/**
 * The callbacks of a firing, DAG-level first: a run's from the DAG's onSuccess/onFailure/
 * onDeadlineMissed; a task instance's from its task's options plus the DAG's onRetry/onExecute/
 * onSkipped (and onDeadlineMissed for a task's late attempt, onAnomaly for a task's anomaly). A mapped task fires for each copy;
 * the mapped task itself (map index -1) only when it ends without copies running (skipped,
 * upstream_failed), so a failed copy is not reported twice.
 */
export function callbacksOf(spec: Pick<DagSpec, "callbacks" | "tasks">, firing: Firing): CallbackTarget[] {
  const option = OPTION_OF_EVENT[firing.event];
  if (firing.taskId === null) return spec.callbacks?.[option] ?? [];
  const task = spec.tasks.find((t) => t.taskId === firing.taskId);
  if (task === undefined) return [];
  if (task.map && firing.mapIndex < 0 && firing.state !== "skipped" && firing.state !== "upstream_failed") return [];
  const fromDag = DAG_OPTIONS_FOR_TASKS.includes(option) || option === "onDeadlineMissed" || option === "onAnomaly" ? (spec.callbacks?.[option] ?? []) : [];
  return [...fromDag, ...(task.callbacks?.[option] ?? [])];
}

/** True when a spec declares any callback (quick test before loading anything for a firing). */
export function hasCallbacks(spec: Pick<DagSpec, "callbacks" | "tasks">): boolean {
  const any = (c: CallbacksSpec | undefined) => c !== undefined && Object.values(c).some((l) => l !== undefined && l.length > 0);
  return any(spec.callbacks) || spec.tasks.some((t) => any(t.callbacks));
}
