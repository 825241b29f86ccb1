// Built-in notifiers for callbacks: `import { slack, pagerduty } from "baton/notifiers"`. See docs/alerts.md#notifiers.
export { slack, teams, pagerduty, opsgenie, email, webhook, jira } from "./declarations.js";
export type { SlackOptions, TeamsOptions, PagerDutyOptions, OpsgenieOptions, EmailOptions, WebhookOptions, JiraOptions } from "./declarations.js";
export type { NotifierDeclaration, NotifierKind, AlertContext, AlertEvent, AlertSeverity } from "../core/model/alerts.js";
