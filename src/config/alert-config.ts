import { readFileSync } from "node:fs";
import { InvalidInputError } from "../core/errors.js";
import { parseAlertRouting } from "../core/alerts/alert-routing.js";
import { NO_ROUTING, type AlertRouting } from "../core/model/alert-policy.js";

/** What callbacks and alert policies read from the environment (docs/alerts.md). */
export interface AlertConfig {
  /** BATON_BASE_URL, else `http://<api host>:<api port>`: the start of the links alerts carry. */
  baseUrl: string;
  /** BATON_ALERT_ROUTES: JSON text, or the path of a JSON file (`@/etc/baton/alerts.json` or a plain path). */
  routing: AlertRouting;
  /** BATON_CALLBACK_SWEEP_HOURS (default 24): how far back the callback sweep looks for firings nobody claimed; 0 turns it off. */
  callbackSweepMs: number;
}

export function loadAlertConfig(api: { apiHost: string; apiPort: number }, env: NodeJS.ProcessEnv = process.env): AlertConfig {
  const base = env.BATON_BASE_URL?.trim();
  if (base && !/^https?:\/\/[^\s]+$/i.test(base)) throw new InvalidInputError(`BATON_BASE_URL must be an http(s) URL, got "${base}"`);
  const host = api.apiHost.includes(":") ? `[${api.apiHost}]` : api.apiHost;
  return {
    baseUrl: base || `http://${host}:${api.apiPort}`,
    routing: readRouting(env.BATON_ALERT_ROUTES),
    callbackSweepMs: readSweepHours(env.BATON_CALLBACK_SWEEP_HOURS) * 3_600_000,
  };
}

function readSweepHours(value: string | undefined): number {
  const text = value?.trim();
  if (!text) return 24;
  const hours = Number(text);
  if (!Number.isFinite(hours) || hours < 0) throw new InvalidInputError(`BATON_CALLBACK_SWEEP_HOURS must be a number of hours, 0 or more, got "${text}"`);
  return hours;
}

function readRouting(value: string | undefined): AlertRouting {
  const text = value?.trim();
  if (!text) return NO_ROUTING;
  if (text.startsWith("{")) return parseAlertRouting(text);
  const path = text.startsWith("@") ? text.slice(1) : text;
  let content: string;
  try {
    content = readFileSync(path, "utf8");
  } catch (e) {
    throw new InvalidInputError(`BATON_ALERT_ROUTES: cannot read ${path}: ${(e as Error).message}`);
  }
  return parseAlertRouting(content, `BATON_ALERT_ROUTES (${path})`);
}
