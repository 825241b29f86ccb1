import { InvalidInputError } from "../errors.js";
import type { AlertSeverity, NotifierDeclaration } from "../model/alerts.js";
import { checkNotifierDeclaration } from "./check-notifier-declaration.js";
import type { AlertPolicySpec, AlertRoute, AlertRouting } from "../model/alert-policy.js";
import { parseDuration } from "../model/duration.js";

const SEVERITIES: readonly AlertSeverity[] = ["critical", "error", "warning", "info"];

/**
 * Reads the global alert routing (`BATON_ALERT_ROUTES`, docs/alerts.md): `{ "policy": {...},
 * "routes": [ { "match": { "tags", "owners", "severities", "dagIds" }, "notify": [ declarations ] } ] }`.
 * Throws InvalidInputError naming the key at fault.
 *
 * @example parseAlertRouting('{"routes":[{"match":{"tags":["finance"]},"notify":[{"notifier":"slack","connection":"fin_alerts"}]}]}')
 */
export function parseAlertRouting(text: string, where = "BATON_ALERT_ROUTES"): AlertRouting {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new InvalidInputError(`${where} is not valid JSON: ${(e as Error).message}`);
  }
  const o = object(raw, where);
  known(o, ["policy", "routes"], where);
  const routes = o.routes === undefined ? [] : list(o.routes, `${where}.routes`).map((r, i) => route(r, `${where}.routes[${i}]`));
  return { policy: o.policy === undefined ? {} : policy(o.policy, `${where}.policy`), routes };
}

function policy(value: unknown, where: string): Partial<AlertPolicySpec> {
  const o = object(value, where);
  known(o, ["afterConsecutiveFailures", "resolveOnRecovery", "repeatEvery", "severity", "notify"], where);
  const out: Partial<AlertPolicySpec> = {};
  if (o.afterConsecutiveFailures !== undefined) {
    const n = o.afterConsecutiveFailures;
    if (typeof n !== "number" || !Number.isInteger(n) || n < 1) throw new InvalidInputError(`${where}.afterConsecutiveFailures must be an integer >= 1`);
    out.afterConsecutiveFailures = n;
  }
  if (o.resolveOnRecovery !== undefined) {
    if (typeof o.resolveOnRecovery !== "boolean") throw new InvalidInputError(`${where}.resolveOnRecovery must be true or false`);
    out.resolveOnRecovery = o.resolveOnRecovery;
  }
  if (o.repeatEvery !== undefined) {
    const r = o.repeatEvery;
    if (r !== null && typeof r !== "string" && typeof r !== "number") throw new InvalidInputError(`${where}.repeatEvery must be a duration like "1h" or null`);
    out.repeatEveryMs = r === null ? null : parseDuration(r, `${where}.repeatEvery`);
  }
  if (o.severity !== undefined) out.severity = severity(o.severity, `${where}.severity`);
  if (o.notify !== undefined) out.notify = list(o.notify, `${where}.notify`).map((n, i) => notifier(n, `${where}.notify[${i}]`));
  return out;
}

function route(value: unknown, where: string): AlertRoute {
  const o = object(value, where);
  known(o, ["match", "notify"], where);
  const m = o.match === undefined ? {} : object(o.match, `${where}.match`);
  known(m, ["tags", "owners", "severities", "dagIds"], `${where}.match`);
  const strings = (v: unknown, w: string) => {
    const l = list(v, w);
    if (l.some((x) => typeof x !== "string")) throw new InvalidInputError(`${w} must be a list of strings`);
    return l as string[];
  };
  const match: AlertRoute["match"] = {};
  if (m.tags !== undefined) match.tags = strings(m.tags, `${where}.match.tags`);
  if (m.owners !== undefined) match.owners = strings(m.owners, `${where}.match.owners`);
  if (m.dagIds !== undefined) match.dagIds = strings(m.dagIds, `${where}.match.dagIds`);
  if (m.severities !== undefined)
    match.severities = list(m.severities, `${where}.match.severities`).map((s, i) => severity(s, `${where}.match.severities[${i}]`));
  const notify = list(o.notify, `${where}.notify`).map((n, i) => notifier(n, `${where}.notify[${i}]`));
  return { match, notify };
}

function notifier(value: unknown, where: string): NotifierDeclaration {
  return checkNotifierDeclaration(value, where);
}

function severity(value: unknown, where: string): AlertSeverity {
  if (!SEVERITIES.includes(value as AlertSeverity)) throw new InvalidInputError(`${where} must be one of ${SEVERITIES.join(", ")}`);
  return value as AlertSeverity;
}

function object(value: unknown, where: string): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new InvalidInputError(`${where} must be a JSON object`);
  return value as Record<string, unknown>;
}

function list(value: unknown, where: string): unknown[] {
  if (!Array.isArray(value)) throw new InvalidInputError(`${where} must be a list`);
  return value;
}

function known(o: Record<string, unknown>, keys: string[], where: string): void {
  for (const k of Object.keys(o)) if (!keys.includes(k)) throw new InvalidInputError(`${where}: unknown key "${k}"; valid keys: ${keys.join(", ")}`);
}
