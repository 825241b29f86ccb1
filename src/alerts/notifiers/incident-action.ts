import type { AlertEvent } from "../../core/model/alerts.js";

/**
 * Incident services (PagerDuty, Opsgenie): which alerts open (or update) the incident and which
 * close it. A success after a failure (`recovered`, `retry_succeeded`, `success`) resolves;
 * everything else triggers.
 */
export function incidentAction(event: AlertEvent): "trigger" | "resolve" {
  return event === "recovered" || event === "retry_succeeded" || event === "success" ? "resolve" : "trigger";
}
