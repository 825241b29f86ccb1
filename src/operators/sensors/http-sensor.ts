import { InvalidInputError } from "../../core/errors.js";
import { parseDuration } from "../../core/model/duration.js";
import type { TaskContext } from "../../sdk/context.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { Duration } from "../../sdk/task-options.js";
import type { TaskRef } from "../../sdk/task-ref.js";
import type { HttpResponse } from "../http/http-request.js";
import { renderDeep, templateRenderer } from "../shared/render.js";
import { resolveConnection } from "../shared/resolve-connection.js";
import { sensorOperator, type SensorOptions } from "./declare-sensor.js";
import { httpCheck, type HttpCheckArgs } from "./http-check.js";

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
  /** Extra check of a response with an expected status: true means ready; false or a message (logged) means not yet. Not with mode "deferred" (a function cannot leave the worker). */
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
  if (options.responseCheck !== undefined && typeof options.responseCheck !== "function")
    throw new InvalidInputError(`${where}: responseCheck must be a function`);
  const requestTimeoutMs = parseDuration(options.requestTimeout ?? "30s", `${where}: requestTimeout`);
  const prepare = (ctx: TaskContext<P>, o: HttpSensorOptions): HttpCheckArgs => {
    const render = templateRenderer(ctx);
    const query = renderDeep(o.query, render) as HttpSensorOptions["query"];
    const headers = Object.fromEntries(Object.entries(o.headers ?? {}).map(([k, v]) => [k, render(v)]));
    const target = o.conn !== undefined ? { conn: o.conn, ...(o.path === undefined ? {} : { path: render(o.path) }) } : { url: render(o.url!) };
    return { ...target, headers, ...(query ? { query } : {}), ...(o.expectStatus === undefined ? {} : { expectStatus: o.expectStatus }), requestTimeoutMs };
  };
  return sensorOperator(d, "httpSensor", id, options, OWN_KEYS, {
    kind: "http",
    prepare: (ctx, o) => ({ ...prepare(ctx, o) }),
    ...(options.responseCheck === undefined
      ? {}
      : {
          notDeferrable: "responseCheck (a function)",
          poke: async (ctx: TaskContext<P>, o: HttpSensorOptions, signal: AbortSignal) => {
            const result = await httpCheck({ ...prepare(ctx, o) }, { connection: (c) => resolveConnection(ctx, c), dagRuns: null }, signal);
            if (!result.done) return result;
            const verdict = await o.responseCheck!(result.value);
            if (verdict !== true) return { done: false, reason: typeof verdict === "string" ? `responseCheck: ${verdict}` : "responseCheck returned false" };
            return result;
          },
        }),
  }) as TaskRef<HttpResponse>;
}
