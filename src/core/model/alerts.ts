/**
 * Alerts: what the callbacks of a DAG or task hand to notifiers. Notifier declarations are plain
 * data (they live in the DAG's spec); the alert is built by the scheduler side from domain events
 * and delivered by the notification outbox, never on the scheduler's hot path.
 * See docs/alerts.md.
 */

/** The notifiers Baton ships. */
export type NotifierKind = "slack" | "teams" | "pagerduty" | "opsgenie" | "email" | "webhook" | "jira";

/** A notifier as a DAG file declares it (e.g. `slack({ connection: "slack_alerts" })`). */
export interface NotifierDeclaration {
  notifier: NotifierKind;
  /** The connection that holds the target (webhook URL, routing key, API token, SMTP server...). */
  connection: string;
  /** Message text, templated with the alert's fields (e.g. "{{ dagId }} failed: {{ error }}"); a default otherwise. */
  text?: string;
  /** Notifier-specific options (e.g. e-mail recipients, Jira project key, PagerDuty severity). */
  options?: Record<string, unknown>;
}

/**
 * Why an alert is sent. `recovered` follows an alerted failure when the task or run later succeeds
 * (PagerDuty resolves, Jira closes its issue); `retry_succeeded` is a success after failed tries
 * (Jira comments).
 */
export type AlertEvent = "failure" | "success" | "retry" | "execute" | "skipped" | "deadline_missed" | "recovered" | "retry_succeeded" | "anomaly";

/**
 * The evidence of an `anomaly` alert (docs/anomalies.md): the value far outside its robust
 * baseline. `metric` is `duration` (seconds), a `ctx.metric` name, or `landing` for a late run.
 */
export interface AlertAnomaly {
  /** The recorded anomaly's id (GET /api/v1/anomalies). */
  id: number;
  metric: string;
  value: number;
  /** The baseline: median and MAD of the past values. */
  median: number;
  mad: number;
  /** Robust z-score. */
  score: number;
  /** Past values the baseline was computed from. */
  points: number;
  /** "none", "hour_of_week", "weekday" or "hour_of_day". */
  season: string;
}

export type AlertSeverity = "critical" | "error" | "warning" | "info";

/** Everything a notifier may say about what happened. */
export interface AlertContext {
  event: AlertEvent;
  severity: AlertSeverity;
  dagId: string;
  runId: string;
  /** null for a run-level (DAG) alert. */
  taskId: string | null;
  /** -1 for an unmapped task. */
  mapIndex: number;
  tryNumber: number;
  /** The task instance's or run's state when the alert was raised. */
  state: string;
  /** The failure's message and the user's stack trace, when there is one. */
  error: { message: string; stack: string | null } | null;
  owner: string | null;
  tags: string[];
  /** Links into the UI (absolute when BATON_BASE_URL is set). */
  runUrl: string;
  logUrl: string | null;
  /** Epoch ms (not records.ts's EpochMs: the DAG spec imports this file, and records.ts imports the spec). */
  at: number;
  /**
   * Stable per incident: the same for a failure and its later recovery (PagerDuty's `dedup_key`,
   * Opsgenie's alias, the Jira issue kept for it). `baton/<dagId>/<taskId or "run">`; an anomaly
   * has its own: `baton/<dagId>/<taskId or "run">/anomaly/<metric>`.
   */
  dedupKey: string;
  /** Present on (and only on) an `anomaly` alert. */
  anomaly?: AlertAnomaly;
}

/** Takes alerts for delivery: durable, retried with backoff, never blocks its caller. */
export interface AlertOutbox {
  enqueue(declaration: NotifierDeclaration, alert: AlertContext): void;
}
