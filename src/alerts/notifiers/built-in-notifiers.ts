import type { NotifierKind } from "../../core/model/alerts.js";
import { emailNotifier } from "./email-notifier.js";
import { jiraNotifier } from "./jira-notifier.js";
import type { Notifier } from "./notifier.js";
import { opsgenieNotifier } from "./opsgenie-notifier.js";
import { pagerdutyNotifier } from "./pagerduty-notifier.js";
import { slackNotifier } from "./slack-notifier.js";
import { teamsNotifier } from "./teams-notifier.js";
import { webhookNotifier } from "./webhook-notifier.js";

/** Every notifier Baton ships, by kind. */
export const BUILT_IN_NOTIFIERS: Readonly<Record<NotifierKind, Notifier>> = {
  slack: slackNotifier,
  teams: teamsNotifier,
  pagerduty: pagerdutyNotifier,
  opsgenie: opsgenieNotifier,
  email: emailNotifier,
  webhook: webhookNotifier,
  jira: jiraNotifier,
};
