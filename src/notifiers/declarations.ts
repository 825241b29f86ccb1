import { InvalidInputError } from "../core/errors.js";
import { checkNotifierDeclaration } from "../core/alerts/check-notifier-declaration.js";
import type { NotifierDeclaration, NotifierKind } from "../core/model/alerts.js";

/**
 * The built-in notifiers as a DAG file declares them: each call returns plain data (a
 * NotifierDeclaration) kept in the DAG's spec; delivery happens in the scheduler's process
 * (docs/alerts.md#notifiers). `text` (and `subject`, `summary`, `title`) are templates over the
 * alert's fields: {{ dagId }}, {{ taskId }}, {{ runId }}, {{ error }}, {{ runUrl }}…
 */
interface Common {
  /** The connection that holds the target (webhook URL, routing key, token, SMTP server). */
  connection: string;
  /** The message text (a template); a default otherwise. */
  text?: string;
}

export interface SlackOptions extends Common {
  /** A channel override (legacy webhooks only; an app's webhook posts to its own channel). */
  channel?: string;
  username?: string;
  iconEmoji?: string;
}

export interface TeamsOptions extends Common {
  /** The card's title (a template); default the alert's headline. */
  title?: string;
}

export interface PagerDutyOptions extends Common {
  /** Default: from the alert (critical, error, warning, info). */
  severity?: "critical" | "error" | "warning" | "info";
  /** Default "baton". */
  source?: string;
  /** Default the task id (the DAG id for a run alert). */
  component?: string;
  /** Default the DAG id. */
  group?: string;
  class?: string;
}

export interface OpsgenieOptions extends Common {
  /** Default from the alert's severity: critical P1, error P2, warning P3, info P5. */
  priority?: "P1" | "P2" | "P3" | "P4" | "P5";
  responders?: { type: "team" | "user" | "escalation" | "schedule"; id?: string; name?: string; username?: string }[];
  tags?: string[];
  entity?: string;
}

export interface EmailOptions extends Common {
  to: string | string[];
  cc?: string | string[];
  bcc?: string | string[];
  /** Default the connection's extra `from`, else its login. */
  from?: string;
  /** A template; default "[Baton] <headline>". */
  subject?: string;
  /** The HTML body (a template); default a small HTML page of the text and links. */
  html?: string;
}

export type WebhookOptions = Common;

export interface JiraOptions extends Common {
  /** The project key, e.g. "OPS". */
  project: string;
  /** Default "Bug". */
  issueType?: string;
  /** The issue's summary (a template); default the alert's headline. */
  summary?: string;
  labels?: string[];
  /** A priority name, e.g. "High". */
  priority?: string;
  /** The transition that closes the issue on recovery; default the first of "Done", "Close", "Closed", "Resolve", "Resolved". */
  closeTransition?: string;
}

function declare(notifier: NotifierKind, options: Common & Record<string, unknown>): NotifierDeclaration {
  if (typeof options !== "object" || options === null) throw new InvalidInputError(`${notifier}() needs options with a connection`);
  const { connection, text, ...rest } = options;
  return checkNotifierDeclaration(
    { notifier, connection, ...(text === undefined ? {} : { text }), ...(Object.keys(rest).length > 0 ? { options: rest } : {}) },
    `${notifier}()`,
  );
}

/**
 * A Slack message through an incoming webhook (Block Kit).
 *
 * @example task("load", { onFailure: [slack({ connection: "slack_alerts" })] }, fn)
 */
export function slack(options: SlackOptions): NotifierDeclaration {
  return declare("slack", { ...options });
}

/** A Microsoft Teams message through a workflow webhook (an Adaptive Card). */
export function teams(options: TeamsOptions): NotifierDeclaration {
  return declare("teams", { ...options });
}

/** A PagerDuty incident (Events API v2): triggered with the alert's dedup key, resolved on recovery. */
export function pagerduty(options: PagerDutyOptions): NotifierDeclaration {
  return declare("pagerduty", { ...options });
}

/** An Opsgenie alert (Alert API): created with the alert's dedup key as alias, closed on recovery. */
export function opsgenie(options: OpsgenieOptions): NotifierDeclaration {
  return declare("opsgenie", { ...options });
}

/** An e-mail over SMTP (HTML and text). */
export function email(options: EmailOptions): NotifierDeclaration {
  return declare("email", { ...options });
}

/** A JSON POST signed with HMAC-SHA256 (`X-Baton-Signature: sha256=…`). */
export function webhook(options: WebhookOptions): NotifierDeclaration {
  return declare("webhook", { ...options });
}

/** A Jira Cloud issue: created on failure, commented on a retry's success, closed on recovery. */
export function jira(options: JiraOptions): NotifierDeclaration {
  return declare("jira", { ...options });
}
