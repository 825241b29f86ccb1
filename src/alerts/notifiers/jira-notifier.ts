import { alertTitle, alertVariables, renderAlertText } from "../../core/alerts/alert-text.js";
import type { AlertContext } from "../../core/model/alerts.js";
import { renderTemplate } from "../../core/templating/render-template.js";
import { alertFacts, clip } from "./alert-links.js";
import { secretsOf, serviceBaseUrl } from "./connection-urls.js";
import { badConnection, DeliveryError, type Notifier, type SendRequest, type SendResult } from "./notifier.js";

interface JiraOptions {
  project: string;
  issueType?: string;
  summary?: string;
  labels?: string[];
  priority?: string;
  closeTransition?: string;
}

const CLOSE_NAMES = ["done", "close", "closed", "resolve", "resolved"];

/**
 * Jira Cloud REST API v3, one issue per incident (remembered per connection and dedup key):
 * a failure, missed deadline or anomaly (its own dedup key) creates the issue (or comments on the incident's open one),
 * `retry_succeeded` and other events comment on the open issue, `recovered` comments and moves it
 * through the close transition. Basic auth: the connection's login (the account's e-mail) and
 * password (an API token); the host is the site, e.g. example.atlassian.net.
 */
export const jiraNotifier: Notifier = {
  kind: "jira",
  async send(r: SendRequest): Promise<SendResult> {
    const { connection: c, alert } = r;
    if (c.login === null || c.password === null) throw badConnection(c, "jira", "give the account's e-mail as login and an API token as password");
    const base = serviceBaseUrl(c, "jira", null);
    const host = new URL(base).host;
    const o = (r.declaration.options ?? {}) as unknown as JiraOptions;
    const call = (method: "GET" | "POST", path: string, body?: unknown) =>
      r.http.request({
        method,
        url: `${base}${path}`,
        headers: { authorization: `Basic ${Buffer.from(`${c.login}:${c.password}`).toString("base64")}`, accept: "application/json" },
        ...(body === undefined ? {} : { body }),
        secrets: secretsOf(c),
        what: `Jira at ${host}`,
      });
    const target = `${host} ${o.project}`;
    const ticket = await r.tickets.getTicket(c.id, alert.dedupKey);
    const open = ticket !== undefined && ticket.closedAt === null ? ticket.ticketKey : null;
    const opens = alert.event === "failure" || alert.event === "deadline_missed" || alert.event === "anomaly";

    if (open === null) {
      if (!opens) return { target, externalRef: null }; // nothing open to comment on or close
      const res = await call("POST", "/rest/api/3/issue", jiraIssue(r, o));
      const key = (res.json as { key?: unknown } | undefined)?.key;
      if (typeof key !== "string") throw new DeliveryError(`Jira at ${host}: the created issue's answer has no key`, false);
      await r.tickets.saveTicket({ connection: c.id, dedupKey: alert.dedupKey, ticketKey: key, openedAt: r.now(), closedAt: null });
      return { target, externalRef: key };
    }

    const path = `/rest/api/3/issue/${encodeURIComponent(open)}`;
    await call("POST", `${path}/comment`, { body: adf(commentText(r)) });
    if (alert.event === "recovered") {
      const res = await call("GET", `${path}/transitions`);
      const transitions =
        (res.json as { transitions?: { id: string; name: string; to?: { name?: string; statusCategory?: { key?: string } } }[] }).transitions ?? [];
      const wanted = o.closeTransition?.toLowerCase();
      const close =
        wanted !== undefined
          ? transitions.find((t) => t.name.toLowerCase() === wanted)
          : (CLOSE_NAMES.map((n) => transitions.find((t) => t.name.toLowerCase() === n)).find((t) => t !== undefined) ??
            transitions.find((t) => t.to?.statusCategory?.key === "done"));
      if (close === undefined) {
        throw new DeliveryError(
          `Jira at ${host}: issue ${open} has no transition ${wanted === undefined ? "to done" : `"${o.closeTransition}"`}; available: ${transitions.map((t) => t.name).join(", ") || "(none)"}`,
          false,
        );
      }
      await call("POST", `${path}/transitions`, { transition: { id: close.id } });
      await r.tickets.saveTicket({ ...ticket!, closedAt: r.now() });
    }
    return { target, externalRef: open };
  },
};

export function jiraIssue(r: Pick<SendRequest, "declaration" | "alert">, o: JiraOptions): Record<string, unknown> {
  const { alert } = r;
  const summary = o.summary === undefined ? alertTitle(alert) : renderTemplate(o.summary, { ...alertVariables(alert) });
  return {
    fields: {
      project: { key: o.project },
      issuetype: { name: o.issueType ?? "Bug" },
      summary: clip(summary.replaceAll("\n", " "), 255),
      description: adf(issueText(r)),
      ...(o.labels === undefined ? {} : { labels: o.labels }),
      ...(o.priority === undefined ? {} : { priority: { name: o.priority } }),
    },
  };
}

function issueText(r: Pick<SendRequest, "declaration" | "alert">): string[] {
  const a: AlertContext = r.alert;
  return [
    renderAlertText(r.declaration, a),
    alertFacts(a)
      .map((f) => `${f.title}: ${f.value}`)
      .join("\n"),
    `Run: ${a.runUrl}${a.logUrl === null ? "" : `\nLog: ${a.logUrl}`}`,
    ...(a.error?.stack ? [a.error.stack] : []),
  ];
}

function commentText(r: Pick<SendRequest, "declaration" | "alert">): string[] {
  return [renderAlertText(r.declaration, r.alert), `Run: ${r.alert.runUrl}`];
}

/** Atlassian Document Format: one paragraph per text, lines kept with hard breaks. */
export function adf(paragraphs: string[]): Record<string, unknown> {
  return {
    type: "doc",
    version: 1,
    content: paragraphs.map((p) => ({
      type: "paragraph",
      content: p.split("\n").flatMap((line, i) => [...(i > 0 ? [{ type: "hardBreak" }] : []), ...(line === "" ? [] : [{ type: "text", text: line }])]),
    })),
  };
}
