import type { NotifierDeclaration } from "./alerts.js";

/**
 * Callbacks of a DAG or a task as its spec stores them (plain JSON): notifier declarations, and
 * references to TypeScript functions that stay in the DAG's bundle, by their index among the
 * DAG's callback functions in declaration order (the worker looks them up with
 * `DagDefinition.getCallback(index)`, as it looks tasks up by id). See docs/alerts.md.
 */

/** The moments a callback fires, as option names. */
export const CALLBACK_OPTIONS = ["onFailure", "onSuccess", "onRetry", "onExecute", "onSkipped", "onDeadlineMissed", "onAnomaly"] as const;
export type CallbackOption = (typeof CALLBACK_OPTIONS)[number];

/** What happened, as the callback's context and the alert say it. */
export type CallbackEvent = "failure" | "success" | "retry" | "execute" | "skipped" | "deadline_missed" | "anomaly";

export const EVENT_OF_OPTION: Record<CallbackOption, CallbackEvent> = {
  onFailure: "failure",
  onSuccess: "success",
  onRetry: "retry",
  onExecute: "execute",
  onSkipped: "skipped",
  onDeadlineMissed: "deadline_missed",
  onAnomaly: "anomaly",
};

export const OPTION_OF_EVENT: Record<CallbackEvent, CallbackOption> = {
  failure: "onFailure",
  success: "onSuccess",
  retry: "onRetry",
  execute: "onExecute",
  skipped: "onSkipped",
  deadline_missed: "onDeadlineMissed",
  anomaly: "onAnomaly",
};

/** One callback: a notifier to hand the alert to, or a function of the bundle to run in a worker. */
export type CallbackTarget = { kind: "notifier"; notifier: NotifierDeclaration } | { kind: "function"; index: number; name: string | null };

/** The callbacks of a DAG or a task; an absent key has none. */
export type CallbacksSpec = Partial<Record<CallbackOption, CallbackTarget[]>>;

/** Default time limit of one callback function (the `callbackTimeout` option). */
export const DEFAULT_CALLBACK_TIMEOUT_MS = 60_000;
