import type { AlertContext, AlertEvent, NotifierDeclaration } from "../model/alerts.js";
import { renderTemplate } from "../templating/render-template.js";

/**
 * What a notifier's message says: the variables a `text` template may use, a headline per event
 * and the default text. Pure; the notifiers lay it out in their service's format.
 */

/** The names a notifier's `text` (and e-mail `subject`, Jira `summary`) template may use. */
export interface AlertVariables {
  dagId: string;
  runId: string;
  /** "" for a run-level alert. */
  taskId: string;
  mapIndex: number;
  tryNumber: number;
  state: string;
  event: AlertEvent;
  severity: string;
  /** The error's message, "" when none. */
  error: string;
  /** The user's stack trace, "" when none. */
  errorStack: string;
  owner: string;
  tags: string;
  runUrl: string;
  logUrl: string;
  /** When it happened, ISO 8601 UTC. */
  at: string;
  dedupKey: string;
  /** The default headline, e.g. "Task etl.load failed". */
  title: string;
}

const VERBS: Record<AlertEvent, string> = {
  failure: "failed",
  success: "succeeded",
  retry: "failed and will be retried",
  execute: "started",
  skipped: "was skipped",
  deadline_missed: "missed its deadline",
  recovered: "recovered",
  retry_succeeded: "succeeded after a retry",
};

/** "Task etl.load" (a mapped copy: "Task etl.load[3]") or "DAG run etl". */
export function alertSubject(alert: AlertContext): string {
  if (alert.taskId === null) return `DAG run ${alert.dagId}`;
  return `Task ${alert.dagId}.${alert.taskId}${alert.mapIndex >= 0 ? `[${alert.mapIndex}]` : ""}`;
}

/** The headline: "Task etl.load failed", "DAG run etl recovered". */
export function alertTitle(alert: AlertContext): string {
  return `${alertSubject(alert)} ${VERBS[alert.event]}`;
}

export function alertVariables(alert: AlertContext): AlertVariables {
  return {
    dagId: alert.dagId,
    runId: alert.runId,
    taskId: alert.taskId ?? "",
    mapIndex: alert.mapIndex,
    tryNumber: alert.tryNumber,
    state: alert.state,
    event: alert.event,
    severity: alert.severity,
    error: alert.error?.message ?? "",
    errorStack: alert.error?.stack ?? "",
    owner: alert.owner ?? "",
    tags: alert.tags.join(", "),
    runUrl: alert.runUrl,
    logUrl: alert.logUrl ?? "",
    at: new Date(alert.at).toISOString(),
    dedupKey: alert.dedupKey,
    title: alertTitle(alert),
  };
}

/**
 * The message text: the declaration's `text` rendered with {@link alertVariables}, or the default:
 * the headline, the run and try, and the error's message when there is one.
 *
 * @example renderAlertText({ notifier: "slack", connection: "s", text: "{{ dagId }} failed: {{ error }}" }, alert) // "etl failed: boom"
 */
export function renderAlertText(declaration: Pick<NotifierDeclaration, "text">, alert: AlertContext): string {
  if (declaration.text !== undefined) return renderTemplate(declaration.text, { ...alertVariables(alert) });
  return defaultAlertText(alert);
}

export function defaultAlertText(alert: AlertContext): string {
  const lines = [`${alertTitle(alert)}.`, `Run ${alert.runId}${alert.taskId === null ? "" : `, try ${alert.tryNumber}`} (state ${alert.state}).`];
  if (alert.error !== null && alert.error.message !== "") lines.push(`Error: ${alert.error.message}`);
  return lines.join("\n");
}

/** An alert with every field set, to check templates when a DAG file declares them. */
export const SAMPLE_ALERT: AlertContext = {
  event: "failure",
  severity: "error",
  dagId: "dag",
  runId: "run",
  taskId: "task",
  mapIndex: -1,
  tryNumber: 1,
  state: "failed",
  error: { message: "message", stack: "stack" },
  owner: "owner",
  tags: [],
  runUrl: "/dags/dag/runs/run",
  logUrl: "/dags/dag/runs/run/tasks/task/logs/1",
  at: 0,
  dedupKey: "baton/dag/task",
};
