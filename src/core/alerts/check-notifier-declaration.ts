import { InvalidInputError } from "../errors.js";
import type { NotifierDeclaration, NotifierKind } from "../model/alerts.js";
import { renderTemplate } from "../templating/render-template.js";
import { alertVariables, SAMPLE_ALERT } from "./alert-text.js";

export const NOTIFIER_KINDS: readonly NotifierKind[] = ["slack", "teams", "pagerduty", "opsgenie", "email", "webhook", "jira"];

type OptionCheck = (value: unknown) => string | null;

const text: OptionCheck = (v) => (typeof v === "string" ? null : "must be a string");
const template: OptionCheck = (v) => {
  if (typeof v !== "string") return "must be a string";
  try {
    renderTemplate(v, { ...alertVariables(SAMPLE_ALERT) });
    return null;
  } catch (e) {
    return (e as Error).message;
  }
};
const oneOf =
  (...values: string[]): OptionCheck =>
  (v) =>
    typeof v === "string" && values.includes(v) ? null : `must be one of: ${values.join(", ")}`;
const addresses: OptionCheck = (v) =>
  (typeof v === "string" && v !== "") || (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === "string" && x !== ""))
    ? null
    : "must be an address or a non-empty list of addresses";
const strings: OptionCheck = (v) => (Array.isArray(v) && v.every((x) => typeof x === "string") ? null : "must be a list of strings");
const responders: OptionCheck = (v) =>
  Array.isArray(v) &&
  v.every(
    (r) =>
      typeof r === "object" &&
      r !== null &&
      ["team", "user", "escalation", "schedule"].includes((r as { type?: unknown }).type as string) &&
      ["id", "name", "username"].some((k) => typeof (r as Record<string, unknown>)[k] === "string"),
  )
    ? null
    : 'must be a list of { type: "team" | "user" | "escalation" | "schedule", id | name | username }';

/** Each notifier's options: name → check. Required ones are listed in REQUIRED. */
const OPTIONS: Record<NotifierKind, Record<string, OptionCheck>> = {
  slack: { channel: text, username: text, iconEmoji: text },
  teams: { title: template },
  pagerduty: { severity: oneOf("critical", "error", "warning", "info"), source: text, component: text, group: text, class: text },
  opsgenie: { priority: oneOf("P1", "P2", "P3", "P4", "P5"), responders, tags: strings, entity: text },
  email: { to: addresses, cc: addresses, bcc: addresses, from: text, subject: template, html: template },
  webhook: {},
  jira: { project: text, issueType: text, summary: template, labels: strings, priority: text, closeTransition: text },
};

const REQUIRED: Partial<Record<NotifierKind, string[]>> = { email: ["to"], jira: ["project"] };

/**
 * Checks a notifier declaration as a DAG file gives it (plain JSON), naming `where` and the fault:
 * the kind, the connection id, the `text` template (rendered against a sample alert, so an
 * unknown variable is caught when the file loads) and each notifier's options.
 *
 * @example checkNotifierDeclaration({ notifier: "slack", connection: "alerts" }, 'task "load" onFailure[0]')
 */
export function checkNotifierDeclaration(value: unknown, where: string): NotifierDeclaration {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidInputError(`${where}: a notifier must be an object such as slack({ connection: "alerts" })`);
  }
  const d = value as Record<string, unknown>;
  const kind = d.notifier;
  if (typeof kind !== "string" || !(NOTIFIER_KINDS as string[]).includes(kind)) {
    throw new InvalidInputError(`${where}: notifier must be one of: ${NOTIFIER_KINDS.join(", ")}; got ${JSON.stringify(kind)}`);
  }
  const k = kind as NotifierKind;
  const at = `${where} (${k})`;
  if (typeof d.connection !== "string" || !/^[A-Za-z0-9_.-]{1,250}$/.test(d.connection)) {
    throw new InvalidInputError(`${at}: connection must be a connection id (letters, digits, _ . -)`);
  }
  for (const key of Object.keys(d)) {
    if (!["notifier", "connection", "text", "options"].includes(key))
      throw new InvalidInputError(`${at}: unknown field "${key}"; allowed: notifier, connection, text, options`);
  }
  if (d.text !== undefined) {
    const fault = template(d.text);
    if (fault !== null) throw new InvalidInputError(`${at}: text ${fault}`);
  }
  const options = d.options ?? {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw new InvalidInputError(`${at}: options must be an object`);
  const known = OPTIONS[k];
  for (const [key, v] of Object.entries(options)) {
    const check = known[key];
    if (check === undefined) {
      throw new InvalidInputError(`${at}: unknown option "${key}"; allowed: ${Object.keys(known).join(", ") || "(none)"}`);
    }
    if (v === undefined) continue;
    const fault = check(v);
    if (fault !== null) throw new InvalidInputError(`${at}: ${key} ${fault}`);
  }
  for (const key of REQUIRED[k] ?? []) {
    if ((options as Record<string, unknown>)[key] === undefined) throw new InvalidInputError(`${at}: ${key} is required`);
  }
  const out: NotifierDeclaration = { notifier: k, connection: d.connection };
  if (d.text !== undefined) out.text = d.text as string;
  const kept = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined));
  if (Object.keys(kept).length > 0) out.options = kept;
  return out;
}
