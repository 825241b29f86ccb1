import { FailTask, InvalidInputError } from "../../core/errors.js";
import { parseDuration } from "../../core/model/duration.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { Duration } from "../../sdk/task-options.js";
import type { TaskRef } from "../../sdk/task-ref.js";
import { buildUrl, connectionAuth, connectionBaseUrl, statusExpected } from "../http/build-request.js";
import type { HttpResponse } from "../http/http-request.js";
import { renderDeep, templateRenderer } from "../shared/render.js";
import { resolveConnection } from "../shared/resolve-connection.js";
import { sensorOperator, type SensorOptions } from "./declare-sensor.js";

export interface HttpSensorOptions extends SensorOptions {
  /** The full URL (a template). Give either url, or conn (and optionally path). */
  url?: string;
  /** A connection id or URI; its host, port, scheme, base path and auth are used. */
  conn?: string;
  /** Appended to the connection's base URL (a template). */
  path?: string;
  /** Header values are templates. */
  headers?: Record<string, string>;
  /** Query parameters (string values are templates). */
  query?: Record<string, string | number | boolean>;
  /** Status codes meaning "ready"; default any 2xx. */
  expectStatus?: number | readonly number[];
  /** Extra check of a response with an expected status: true means ready; false or a message (logged) means not yet. */
  responseCheck?: (response: HttpResponse) => boolean | string | Promise<boolean | string>;
  /** Limit of one request. Default "30s". */
  requestTimeout?: Duration;
}

const OWN_KEYS = ["url", "conn", "path", "headers", "query", "expectStatus", "responseCheck", "requestTimeout"] as const;

/**
 * A sensor polling a URL with GET until it answers an expected status (and passes
 * `responseCheck`); its value is that response. Another status or a network error means "not
 * yet", except a 4xx other than 404, 408 and 429, which fails the task at once.
 *
 * @example
 * const job = httpSensor(d, "export_ready", {
 *   conn: "api", path: "/v1/exports/{{ ds }}", pokeInterval: "2m", timeout: "3h",
 *   responseCheck: (res) => (res.body as { state: string }).state === "done" || "still exporting",
 * });
 */
export function httpSensor<P>(d: DagBuilder<P>, id: string, options: HttpSensorOptions): TaskRef<HttpResponse> {
  const where = `httpSensor("${id}")`;
  if (typeof options !== "object" || options === null) throw new InvalidInputError(`${where} needs options with url or conn`);
  if ((options.url === undefined) === (options.conn === undefined)) throw new InvalidInputError(`${where}: give exactly one of url or conn`);
  if (options.url !== undefined && options.path !== undefined) throw new InvalidInputError(`${where}: path goes with conn; put it in url instead`);
  if (options.responseCheck !== undefined && typeof options.responseCheck !== "function") throw new InvalidInputError(`${where}: responseCheck must be a function`);
  const requestTimeoutMs = parseDuration(options.requestTimeout ?? "30s", `${where}: requestTimeout`);
  return sensorOperator(d, "httpSensor", id, options, OWN_KEYS, async (ctx, o, signal) => {
    const render = templateRenderer(ctx);
    const query = renderDeep(o.query, render) as HttpSensorOptions["query"];
    const headers = new Headers();
    let url: string;
    if (o.conn !== undefined) {
      const conn = await resolveConnection(ctx, o.conn);
      url = buildUrl(connectionBaseUrl(conn), o.path === undefined ? undefined : render(o.path), query);
      const auth = connectionAuth(conn);
      if (auth) headers.set("authorization", auth);
    } else {
      url = buildUrl(render(o.url!), undefined, query);
    }
    for (const [k, v] of Object.entries(o.headers ?? {})) headers.set(k, render(v));
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.any([signal, AbortSignal.timeout(requestTimeoutMs)]) });
    } catch (e) {
      if (signal.aborted) throw e;
      return { done: false, reason: `GET ${redactUrl(url)}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}` };
    }
    const text = await res.text();
    const isJson = /[/+]json\b/i.test(res.headers.get("content-type") ?? "");
    const response: HttpResponse = { status: res.status, headers: Object.fromEntries(res.headers), body: text === "" ? null : isJson ? parseJson(text) : text };
    if (!statusExpected(res.status, o.expectStatus)) {
      const permanent = res.status >= 400 && res.status < 500 && ![404, 408, 429].includes(res.status);
      const message = `GET ${redactUrl(url)} returned ${res.status}, expected ${o.expectStatus === undefined ? "2xx" : String(o.expectStatus)}`;
      if (permanent) throw new FailTask(`${message}: ${text.slice(0, 500)}`);
      return { done: false, reason: message };
    }
    if (o.responseCheck) {
      const verdict = await o.responseCheck(response);
      if (verdict !== true) return { done: false, reason: typeof verdict === "string" ? `responseCheck: ${verdict}` : "responseCheck returned false" };
    }
    return { done: true, value: response };
  }) as TaskRef<HttpResponse>;
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
