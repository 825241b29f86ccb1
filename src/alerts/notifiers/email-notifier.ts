import { alertTitle, alertVariables, renderAlertText } from "../../core/alerts/alert-text.js";
import { maskText } from "../../core/secrets/mask-text.js";
import { MissingPackageError } from "../../core/optional-module.js";
import { renderTemplate } from "../../core/templating/render-template.js";
import { createSmtpTransport, senderOf, smtpOptions } from "../../operators/email/smtp-transport.js";
import { alertFacts, alertLinks } from "./alert-links.js";
import { secretsOf } from "./connection-urls.js";
import { badConnection, DeliveryError, type Notifier, type SendRequest, type SendResult } from "./notifier.js";

interface EmailOptions {
  to: string | string[];
  cc?: string | string[];
  bcc?: string | string[];
  from?: string;
  subject?: string;
  html?: string;
}

/**
 * E-mail over SMTP (an `smtp`/`smtps` connection, as the sendEmail operator reads it): a text and
 * an HTML part. SMTP 5xx answers (a refused recipient or sender) are not retried; 4xx and
 * connection failures are. Without nodemailer installed (an optional peer dependency) the delivery
 * fails at once, naming it.
 */
export const emailNotifier: Notifier = {
  kind: "email",
  async send(r: SendRequest): Promise<SendResult> {
    const o = (r.declaration.options ?? {}) as unknown as EmailOptions;
    const list = (v: string | string[] | undefined) => (v === undefined ? undefined : typeof v === "string" ? [v] : v);
    let transportOptions: ReturnType<typeof smtpOptions>;
    let from: string;
    try {
      transportOptions = smtpOptions(r.connection);
      from = senderOf(r.connection, o.from);
    } catch (e) {
      throw badConnection(r.connection, "email", (e as Error).message);
    }
    const message = emailMessage(r);
    const transport = await createSmtpTransport({ ...transportOptions, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 }).catch(
      (e: unknown) => {
        throw e instanceof MissingPackageError ? new DeliveryError(e.message, false) : e;
      },
    );
    const target = `${transportOptions.host} → ${list(o.to)!.join(", ")}`;
    try {
      const info = await transport.sendMail({
        from,
        to: list(o.to),
        cc: list(o.cc),
        bcc: list(o.bcc),
        subject: message.subject,
        text: message.text,
        html: message.html,
      });
      return { target, externalRef: info.messageId };
    } catch (e) {
      const err = e as { responseCode?: number; message?: string; code?: string };
      const text = maskText(`SMTP server ${transportOptions.host}:${transportOptions.port}: ${err.message ?? String(e)}`, secretsOf(r.connection));
      throw new DeliveryError(text, !(typeof err.responseCode === "number" && err.responseCode >= 500) && err.code !== "EAUTH");
    } finally {
      transport.close();
    }
  },
};

/** Subject, text and HTML of the alert's e-mail. */
export function emailMessage(r: Pick<SendRequest, "declaration" | "alert">): { subject: string; text: string; html: string } {
  const { alert } = r;
  const o = (r.declaration.options ?? {}) as Partial<EmailOptions>;
  const vars = alertVariables(alert);
  const subject = o.subject === undefined ? `[Baton] ${alertTitle(alert)}` : renderTemplate(o.subject, { ...vars });
  const body = renderAlertText(r.declaration, alert);
  const facts = alertFacts(alert);
  const links = [{ label: "Run", url: alert.runUrl }, ...(alert.logUrl === null ? [] : [{ label: "Log", url: alert.logUrl }])];
  const text = [
    body,
    "",
    ...facts.map((f) => `${f.title}: ${f.value}`),
    "",
    ...links.map((l) => `${l.label}: ${l.url}`),
    ...(alert.error?.stack ? ["", alert.error.stack] : []),
  ].join("\n");
  if (o.html !== undefined) {
    const escaped = Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, typeof v === "string" ? escapeHtml(v) : v]));
    return { subject, text, html: renderTemplate(o.html, escaped) };
  }
  const clickable = alertLinks(alert);
  const html = [
    `<!doctype html><html><body style="font-family: sans-serif">`,
    `<h2>${escapeHtml(alertTitle(alert))}</h2>`,
    `<p>${escapeHtml(body).replaceAll("\n", "<br>")}</p>`,
    `<table>${facts.map((f) => `<tr><th align="left">${escapeHtml(f.title)}</th><td>${escapeHtml(f.value)}</td></tr>`).join("")}</table>`,
    clickable.length > 0
      ? `<p>${clickable.map((l) => `<a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a>`).join(" · ")}</p>`
      : `<p>${links.map((l) => `${l.label}: ${escapeHtml(l.url)}`).join("<br>")}</p>`,
    alert.error?.stack ? `<pre>${escapeHtml(alert.error.stack)}</pre>` : "",
    `</body></html>`,
  ].join("\n");
  return { subject, text, html };
}

export function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;").replaceAll("'", "&#39;");
}
