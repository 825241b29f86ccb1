import { FailTask, InvalidInputError } from "../../core/errors.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { TaskRef } from "../../sdk/task-ref.js";
import { parseDuration } from "../../core/model/duration.js";
import { declareOperator, type OperatorTaskOptions } from "../shared/declare-operator.js";
import { renderDeep, templateRenderer } from "../shared/render.js";
import { resolveConnection } from "../shared/resolve-connection.js";
import { buildUrl, connectionAuth, connectionBaseUrl, statusExpected } from "./build-request.js";

/** The value of an `httpRequest` task. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON when the response says it is JSON, else the text (null when empty). */
  body: unknown;
}

export interface HttpRequestOptions extends OperatorTaskOptions {
  /** Default "GET". */
  method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE" | "HEAD" | "OPTIONS";
  /** The full URL (a template). Give either url, or conn (and optionally path). */
  url?: string;
  /** A connection id or URI ("https://user:pass@api.example.com"); its host, port, scheme and auth are used. */
  conn?: string;
  /** Appended to the connection's base URL (a template). */
  path?: string;
  /** Header values are templates. */
  headers?: Record<string, string>;
  /** Query parameters (string values are templates). */
  query?: Record<string, string | number | boolean>;
  /** A JSON body (strings inside are templates); sets content-type: application/json. */
  json?: unknown;
  /** A raw body (a template). */
  body?: string;
  /** Per-request time limit (the task option `timeout` limits the whole attempt). Default "30s". */
  requestTimeout?: number | string;
  /** Accepted status codes; default any 2xx. */
  expectStatus?: number | readonly number[];
  /** Extra check of the response: return true to accept; false or a message fails the task (no retries). */
  responseCheck?: (response: HttpResponse) => boolean | string | Promise<boolean | string>;
}

const OWN_KEYS = ["method", "url", "conn", "path", "headers", "query", "json", "body", "requestTimeout", "expectStatus", "responseCheck"] as const;

/**
 * A task making one HTTP request. An unexpected status fails the attempt (retries apply; a 4xx
 * other than 408 and 429 fails at once).
 *
 * @example
 * httpRequest(d, "notify", { conn: "api", method: "POST", path: "/hooks", json: { ds: "{{ ds }}" }, expectStatus: [200, 201], retries: 3 });
 */
export function httpRequest<P>(d: DagBuilder<P>, id: string, options: HttpRequestOptions): TaskRef<HttpResponse> {
  const where = `httpRequest("${id}")`;
  if (typeof options !== "object" || options === null) throw new InvalidInputError(`${where} needs options with url or conn`);
  if ((options.url === undefined) === (options.conn === undefined)) throw new InvalidInputError(`${where}: give exactly one of url or conn`);
  if (options.url !== undefined && options.path !== undefined) throw new InvalidInputError(`${where}: path goes with conn; put it in url instead`);
  if (options.json !== undefined && options.body !== undefined) throw new InvalidInputError(`${where}: give json or body, not both`);
  if (options.responseCheck !== undefined && typeof options.responseCheck !== "function")
    throw new InvalidInputError(`${where}: responseCheck must be a function`);
  const timeoutMs = parseDuration(options.requestTimeout ?? "30s", "requestTimeout");
  return declareOperator(d, "httpRequest", id, options, OWN_KEYS, async (ctx, o): Promise<HttpResponse> => {
    const render = templateRenderer(ctx);
    const headers = new Headers();
    let url: string;
    if (o.conn !== undefined) {
      const conn = await resolveConnection(ctx, o.conn);
      url = buildUrl(connectionBaseUrl(conn), o.path === undefined ? undefined : render(o.path), renderDeep(o.query, render) as HttpRequestOptions["query"]);
      const auth = connectionAuth(conn);
      if (auth) headers.set("authorization", auth);
    } else {
      url = buildUrl(render(o.url!), undefined, renderDeep(o.query, render) as HttpRequestOptions["query"]);
    }
    for (const [k, v] of Object.entries(o.headers ?? {})) headers.set(k, render(v));
    let body: string | undefined;
    if (o.json !== undefined) {
      body = JSON.stringify(renderDeep(o.json, render));
      if (!headers.has("content-type")) headers.set("content-type", "application/json");
    } else if (o.body !== undefined) body = render(o.body);
    const method = o.method ?? "GET";
    ctx.log.info(`${method} ${redactUrl(url)}`);
    const res = await fetch(url, { method, headers, body, signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]) });
    const text = await res.text();
    const isJson = /[/+]json\b/i.test(res.headers.get("content-type") ?? "");
    const response: HttpResponse = {
      status: res.status,
      headers: Object.fromEntries(res.headers),
      body: text === "" ? null : isJson ? parseJson(text) : text,
    };
    ctx.log.info(`response ${res.status}`, { bytes: text.length });
    if (!statusExpected(res.status, o.expectStatus)) {
      const message = `${method} ${redactUrl(url)} returned ${res.status}, expected ${o.expectStatus === undefined ? "2xx" : String(o.expectStatus)}: ${text.slice(0, 500)}`;
      const permanent = res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429;
      throw permanent ? new FailTask(message) : new Error(message);
    }
    if (o.responseCheck) {
      const verdict = await o.responseCheck(response);
      if (verdict !== true) throw new FailTask(typeof verdict === "string" ? `responseCheck failed: ${verdict}` : "responseCheck returned false");
    }
    return response;
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^:@/]*):[^@/]*@/, "//$1:***@");
}
