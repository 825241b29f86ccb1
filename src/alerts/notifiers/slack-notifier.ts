import { alertTitle, renderAlertText } from "../../core/alerts/alert-text.js";
import { alertFacts, alertLinks, clip } from "./alert-links.js";
import { hostOf, secretsOf, webhookUrl } from "./connection-urls.js";
import type { Notifier, SendRequest, SendResult } from "./notifier.js";

/**
 * Slack incoming webhook: a Block Kit message (header, the text as mrkdwn, the facts as context,
 * buttons to the run and log) with `text` as the notification fallback. Slack answers 200 `ok`.
 */
export const slackNotifier: Notifier = {
  kind: "slack",
  async send(r: SendRequest): Promise<SendResult> {
    const url = webhookUrl(r.connection, "slack");
    await r.http.request({ url, body: slackMessage(r), secrets: secretsOf(r.connection, url), what: `Slack webhook at ${hostOf(url)}` });
    return { target: hostOf(url), externalRef: null };
  },
};

/** The webhook's JSON body. */
export function slackMessage(r: Pick<SendRequest, "declaration" | "alert">): Record<string, unknown> {
  const { alert } = r;
  const title = alertTitle(alert);
  const text = renderAlertText(r.declaration, alert);
  const o = (r.declaration.options ?? {}) as { channel?: string; username?: string; iconEmoji?: string };
  const links = alertLinks(alert);
  const blocks: Record<string, unknown>[] = [
    { type: "header", text: { type: "plain_text", text: clip(title, 150), emoji: true } },
    { type: "section", text: { type: "mrkdwn", text: clip(escapeMrkdwn(text), 3000) } },
    {
      type: "context",
      elements: alertFacts(alert)
        .map((f) => ({ type: "mrkdwn", text: `*${f.title}:* ${escapeMrkdwn(f.value)}` }))
        .slice(0, 10),
    },
  ];
  if (alert.error?.stack)
    blocks.push({ type: "section", text: { type: "mrkdwn", text: clip("```" + alert.error.stack.replaceAll("```", "'''") + "```", 3000) } });
  if (links.length > 0) {
    blocks.push({
      type: "actions",
      elements: links.map((l, i) => ({ type: "button", text: { type: "plain_text", text: l.label }, url: l.url, action_id: `baton_link_${i}` })),
    });
  }
  return {
    text: clip(`${title}: ${text}`, 3000),
    blocks,
    ...(o.channel === undefined ? {} : { channel: o.channel }),
    ...(o.username === undefined ? {} : { username: o.username }),
    ...(o.iconEmoji === undefined ? {} : { icon_emoji: o.iconEmoji }),
  };
}

/** Slack's three control characters in mrkdwn text. */
function escapeMrkdwn(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}
