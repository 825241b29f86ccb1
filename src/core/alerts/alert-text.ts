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
  /** An anomaly's evidence in a line ({@link anomalyEvidence}), "" for other alerts. */
  anomaly: string;
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
  anomaly: "had an anomaly",
};

/** "Task etl.load" (a mapped copy: "Task etl.load[3]") or "DAG run etl". */
export function alertSubject(alert: AlertContext): string {
  if (alert.taskId === null) return `DAG run ${alert.dagId}`;
  return `Task ${alert.dagId}.${alert.taskId}${alert.mapIndex >= 0 ? `[${alert.mapIndex}]` : ""}`;
}

/** The headline: "Task etl.load failed", "DAG run etl recovered", "Task etl.load had an anomaly: rows". */
export function alertTitle(alert: AlertContext): string {
  return `${alertSubject(alert)} ${VERBS[alert.event]}${alert.anomaly === undefined ? "" : `: ${alert.anomaly.metric}`}`;
}

/**
 * An anomaly's evidence in a line: "rows = 500, baseline median 1006 (MAD 6) over 30 points, season none, score -56.2".
 * "" for an alert that is not an anomaly.
 */
export function anomalyEvidence(alert: Pick<AlertContext, "anomaly">): string {
  const a = alert.anomaly;
  if (a === undefined) return "";
  const n = (x: number) => String(Number(x.toPrecision(6)));
  return `${a.metric} = ${n(a.value)}, baseline median ${n(a.median)} (MAD ${n(a.mad)}) over ${a.points} points, season ${a.season}, score ${a.score.toFixed(1)}`;
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
    anomaly: anomalyEvidence(alert),
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
  if (alert.anomaly !== undefined) lines.push(`Evidence: ${anomalyEvidence(alert)}`);
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
