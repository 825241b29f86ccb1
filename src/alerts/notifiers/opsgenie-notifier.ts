import { alertTitle, renderAlertText } from "../../core/alerts/alert-text.js";
import type { AlertSeverity } from "../../core/model/alerts.js";
import { clip } from "./alert-links.js";
import { secretsOf, serviceBaseUrl } from "./connection-urls.js";
import { incidentAction } from "./incident-action.js";
import { badConnection, type Notifier, type SendRequest, type SendResult } from "./notifier.js";

const PRIORITY: Record<AlertSeverity, string> = { critical: "P1", error: "P2", warning: "P3", info: "P5" };

/**
 * Opsgenie Alert API: create (`POST /v2/alerts`) with the alert's dedup key as `alias` (Opsgenie
 * de-duplicates open alerts by alias), close (`POST /v2/alerts/{alias}/close?identifierType=alias`)
 * on recovery. The API key is the connection's password, sent as `Authorization: GenieKey <key>`;
 * host default api.opsgenie.com (EU: api.eu.opsgenie.com).
 */
export const opsgenieNotifier: Notifier = {
  kind: "opsgenie",
  async send(r: SendRequest): Promise<SendResult> {
    const key = r.connection.password;
    if (key === null || key === "") throw badConnection(r.connection, "opsgenie", "its password must be the API key (an API integration's key)");
    const base = serviceBaseUrl(r.connection, "opsgenie", "api.opsgenie.com");
    const host = new URL(base).host;
    const close = incidentAction(r.alert.event) === "resolve";
    const url = close ? `${base}/v2/alerts/${encodeURIComponent(r.alert.dedupKey)}/close?identifierType=alias` : `${base}/v2/alerts`;
    const res = await r.http.request({
      url,
      headers: { authorization: `GenieKey ${key}` },
      body: close ? opsgenieClose(r) : opsgenieAlert(r),
      secrets: secretsOf(r.connection),
      what: `Opsgenie Alert API at ${host}`,
    });
    const requestId = (res.json as { requestId?: unknown } | undefined)?.requestId;
    return { target: host, externalRef: typeof requestId === "string" ? requestId : null };
  },
};

export function opsgenieAlert(r: Pick<SendRequest, "declaration" | "alert">): Record<string, unknown> {
  const { alert } = r;
  const o = (r.declaration.options ?? {}) as { priority?: string; responders?: unknown[]; tags?: string[]; entity?: string };
  return {
    message: clip(alertTitle(alert), 130),
    alias: clip(alert.dedupKey, 512),
    description: clip(
      [renderAlertText(r.declaration, alert), alert.error?.stack ?? "", `Run: ${alert.runUrl}`, alert.logUrl ? `Log: ${alert.logUrl}` : ""]
        .filter((s) => s !== "")
        .join("\n\n"),
      15_000,
    ),
    ...(o.responders === undefined ? {} : { responders: o.responders }),
    tags: [...new Set([...alert.tags, ...(o.tags ?? [])])].slice(0, 20),
    details: {
      dagId: alert.dagId,
      runId: alert.runId,
      ...(alert.taskId === null ? {} : { taskId: alert.taskId, tryNumber: String(alert.tryNumber) }),
      state: alert.state,
      event: alert.event,
      runUrl: alert.runUrl,
      ...(alert.logUrl === null ? {} : { logUrl: alert.logUrl }),
      ...(alert.owner === null ? {} : { owner: alert.owner }),
      ...(alert.anomaly === undefined
        ? {}
        : {
            metric: alert.anomaly.metric,
            value: String(alert.anomaly.value),
            median: String(alert.anomaly.median),
            mad: String(alert.anomaly.mad),
            score: String(alert.anomaly.score),
            season: alert.anomaly.season,
          }),
    },
    entity: o.entity ?? (alert.taskId === null ? alert.dagId : `${alert.dagId}.${alert.taskId}`),
    source: "Baton",
    priority: o.priority ?? PRIORITY[alert.severity],
  };
}

export function opsgenieClose(r: Pick<SendRequest, "declaration" | "alert">): Record<string, unknown> {
  return { source: "Baton", note: renderAlertText(r.declaration, r.alert) };
}
