import { createHmac } from "node:crypto";
import { alertTitle, renderAlertText } from "../../core/alerts/alert-text.js";
import { hostOf, secretsOf, webhookUrl } from "./connection-urls.js";
import type { Notifier, SendRequest, SendResult } from "./notifier.js";

/**
 * A generic webhook: a JSON POST of the whole alert, signed like Baton's inbound webhook —
 * `X-Baton-Signature: sha256=<hex HMAC-SHA256 of the raw body>` with the connection's extra
 * `secret` (no signature without one) — and `X-Baton-Delivery: notification-<id>`, the same on
 * every retry of one delivery, so the receiver can drop repeats.
 */
export const webhookNotifier: Notifier = {
  kind: "webhook",
  async send(r: SendRequest): Promise<SendResult> {
    const url = webhookUrl(r.connection, "webhook");
    const raw = JSON.stringify(webhookBody(r));
    const secret = r.connection.extra.secret;
    const headers: Record<string, string> = { "x-baton-delivery": `notification-${r.deliveryId}`, "x-baton-event": r.alert.event };
    if (secret !== undefined && secret !== "") headers["x-baton-signature"] = `sha256=${createHmac("sha256", secret).update(raw).digest("hex")}`;
    await r.http.request({ url, rawBody: raw, headers, secrets: secretsOf(r.connection, url, ...(secret ? [secret] : [])), what: `webhook at ${hostOf(url)}` });
    return { target: hostOf(url), externalRef: null };
  },
};

/** `{ version: 1, deliveryId, title, text, alert }`: the alert is the AlertContext as is. */
export function webhookBody(r: Pick<SendRequest, "declaration" | "alert" | "deliveryId">): Record<string, unknown> {
  return { version: 1, deliveryId: `notification-${r.deliveryId}`, title: alertTitle(r.alert), text: renderAlertText(r.declaration, r.alert), alert: r.alert };
}
