import { alertTitle, alertVariables, renderAlertText } from "../../core/alerts/alert-text.js";
import { renderTemplate } from "../../core/templating/render-template.js";
import { alertFacts, alertLinks } from "./alert-links.js";
import { hostOf, secretsOf, webhookUrl } from "./connection-urls.js";
import type { Notifier, SendRequest, SendResult } from "./notifier.js";

/**
 * Microsoft Teams workflow webhook ("When a Teams webhook request is received"): a message with
 * one Adaptive Card attachment (title, text, facts, buttons to the run and log).
 */
export const teamsNotifier: Notifier = {
  kind: "teams",
  async send(r: SendRequest): Promise<SendResult> {
    const url = webhookUrl(r.connection, "teams");
    await r.http.request({ url, body: teamsMessage(r), secrets: secretsOf(r.connection, url), what: `Teams workflow webhook at ${hostOf(url)}` });
    return { target: hostOf(url), externalRef: null };
  },
};

export function teamsMessage(r: Pick<SendRequest, "declaration" | "alert">): Record<string, unknown> {
  const { alert } = r;
  const o = (r.declaration.options ?? {}) as { title?: string };
  const title = o.title === undefined ? alertTitle(alert) : renderTemplate(o.title, { ...alertVariables(alert) });
  const attention = alert.severity === "critical" || alert.severity === "error";
  const body: Record<string, unknown>[] = [
    { type: "TextBlock", text: title, size: "Large", weight: "Bolder", wrap: true, ...(attention ? { color: "Attention" } : {}) },
    { type: "TextBlock", text: renderAlertText(r.declaration, alert), wrap: true },
    { type: "FactSet", facts: alertFacts(alert) },
  ];
  if (alert.error?.stack) body.push({ type: "TextBlock", text: alert.error.stack, wrap: true, fontType: "Monospace", size: "Small", isSubtle: true });
  const links = alertLinks(alert);
  return {
    type: "message",
    attachments: [
      {
        contentType: "application/vnd.microsoft.card.adaptive",
        contentUrl: null,
        content: {
          $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
          type: "AdaptiveCard",
          version: "1.4",
          body,
          ...(links.length > 0 ? { actions: links.map((l) => ({ type: "Action.OpenUrl", title: l.label, url: l.url })) } : {}),
        },
      },
    ],
  };
}
