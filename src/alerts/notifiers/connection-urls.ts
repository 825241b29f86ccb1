import type { Connection } from "../../core/model/connection.js";
import type { NotifierKind } from "../../core/model/alerts.js";
import { secretValuesOf } from "../../core/secrets/sensitive-keys.js";
import { badConnection } from "./notifier.js";

const WEB = /^https?$/i;

/**
 * A webhook's URL (Slack, Teams, the generic webhook): the connection's password when it is a
 * whole http(s) URL (as Airflow's `slackwebhook` connections keep it), else the connection read
 * as a URL: `http(s)://host[:port]/schema`, its extras as the query string.
 */
export function webhookUrl(c: Connection, kind: NotifierKind): string {
  if (c.password !== null && /^https?:\/\//i.test(c.password)) return c.password;
  if (WEB.test(c.type) && c.host !== null) {
    const query = new URLSearchParams(Object.entries(c.extra).filter(([k]) => k !== "secret")).toString();
    return `${c.type.toLowerCase()}://${hostPort(c)}/${c.schema ?? ""}${query === "" ? "" : `?${query}`}`;
  }
  throw badConnection(c, kind, "give the webhook URL as its password, or make it an http(s) URL");
}

/**
 * A service's base URL (PagerDuty, Opsgenie, Jira): the connection's host when it has one, over
 * https unless its type is `http` (a stand-in), else `defaultHost`.
 */
export function serviceBaseUrl(c: Connection, kind: NotifierKind, defaultHost: string | null): string {
  if (c.host === null) {
    if (defaultHost === null) throw badConnection(c, kind, "it has no host");
    return `https://${defaultHost}`;
  }
  const scheme = c.type.toLowerCase() === "http" || c.extra.scheme === "http" ? "http" : "https";
  return `${scheme}://${hostPort(c)}${c.schema === null ? "" : `/${c.schema.replace(/^\/+|\/+$/g, "")}`}`;
}

/** The host (and port) of a URL, to name a target without its path or query (which may hold a token). */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return "(invalid URL)";
  }
}

/** Everything of the connection that must never be shown, and the webhook URL itself. */
export function secretsOf(c: Connection, ...more: string[]): string[] {
  return [...secretValuesOf(c), ...more];
}

function hostPort(c: Connection): string {
  const host = c.host!.includes(":") ? `[${c.host}]` : c.host!;
  return c.port === null ? host : `${host}:${c.port}`;
}
