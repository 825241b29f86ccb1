import { alertTitle, anomalyEvidence, renderAlertText } from "../../core/alerts/alert-text.js";
import type { AlertSeverity } from "../../core/model/alerts.js";
import { alertLinks, clip } from "./alert-links.js";
import { secretsOf, serviceBaseUrl } from "./connection-urls.js";
import { incidentAction } from "./incident-action.js";
import { badConnection, type Notifier, type SendRequest, type SendResult } from "./notifier.js";

/**
 * PagerDuty Events API v2 (`POST /v2/enqueue`): `trigger` with the alert's dedup key (the same
 * for every alert of an incident), `resolve` with it when the task or run recovers. The routing
 * (integration) key is the connection's password.
 */
export const pagerdutyNotifier: Notifier = {
  kind: "pagerduty",
  async send(r: SendRequest): Promise<SendResult> {
    const key = r.connection.password;
    if (key === null || key === "") throw badConnection(r.connection, "pagerduty", "its password must be the routing (integration) key");
    const base = serviceBaseUrl(r.connection, "pagerduty", "events.pagerduty.com");
    const res = await r.http.request({
      url: `${base}/v2/enqueue`,
      body: pagerdutyEvent(r, key),
      secrets: secretsOf(r.connection),
      what: `PagerDuty Events API at ${new URL(base).host}`,
    });
    const dedup = (res.json as { dedup_key?: unknown } | undefined)?.dedup_key;
    return { target: new URL(base).host, externalRef: typeof dedup === "string" ? dedup : r.alert.dedupKey };
  },
};

export function pagerdutyEvent(r: Pick<SendRequest, "declaration" | "alert">, routingKey: string): Record<string, unknown> {
  const { alert } = r;
  const action = incidentAction(alert.event);
  if (action === "resolve") return { routing_key: routingKey, event_action: "resolve", dedup_key: alert.dedupKey };
  const o = (r.declaration.options ?? {}) as { severity?: AlertSeverity; source?: string; component?: string; group?: string; class?: string };
  const links = alertLinks(alert);
  return {
    routing_key: routingKey,
    event_action: "trigger",
    dedup_key: alert.dedupKey,
    payload: {
      summary: clip(
        r.declaration.text === undefined
          ? `${alertTitle(alert)}${alert.error ? `: ${alert.error.message}` : ""}${alert.anomaly ? ` (${anomalyEvidence(alert)})` : ""}`
          : renderAlertText(r.declaration, alert),
        1024,
      ),
      source: o.source ?? "baton",
      severity: o.severity ?? alert.severity,
      timestamp: new Date(alert.at).toISOString(),
      component: o.component ?? alert.taskId ?? alert.dagId,
      group: o.group ?? alert.dagId,
      ...(o.class === undefined ? {} : { class: o.class }),
      custom_details: {
        dag_id: alert.dagId,
        run_id: alert.runId,
        task_id: alert.taskId,
        map_index: alert.mapIndex,
        try_number: alert.tryNumber,
        state: alert.state,
        event: alert.event,
        error: alert.error?.message ?? null,
        stack: alert.error?.stack ?? null,
        owner: alert.owner,
        tags: alert.tags,
        run_url: alert.runUrl,
        log_url: alert.logUrl,
        ...(alert.anomaly === undefined ? {} : { anomaly: alert.anomaly }),
      },
    },
    client: "Baton",
    ...(links[0] === undefined ? {} : { client_url: links[0].url }),
    ...(links.length > 0 ? { links: links.map((l) => ({ href: l.url, text: l.label })) } : {}),
  };
}
