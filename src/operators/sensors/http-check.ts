import { FailTask } from "../../core/errors.js";
import { buildUrl, connectionAuth, connectionBaseUrl, statusExpected } from "../http/build-request.js";
import type { HttpResponse } from "../http/http-request.js";
import type { CheckEnv, CheckResult, SensorCheck } from "./sensor-check.js";

/** The rendered request of an httpSensor: plain JSON (credentials stay in the connection). */
export interface HttpCheckArgs {
  url?: string;
  conn?: string;
  path?: string;
  headers?: Record<string, string>;
  query?: Record<string, string | number | boolean>;
  expectStatus?: number | readonly number[];
  requestTimeoutMs: number;
}

/**
 * GET until an expected status; the value is the response. Another status or a network error
 * means "not yet", except a 4xx other than 404, 408 and 429, which fails the task at once.
 */
export const httpCheck: SensorCheck<HttpResponse> = async (raw, env, signal) => {
  const args = raw as unknown as HttpCheckArgs;
  const { url, headers } = await request(args, env);
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.any([signal, AbortSignal.timeout(args.requestTimeoutMs)]) });
  } catch (e) {
    if (signal.aborted) throw e;
    return { done: false, reason: `GET ${redactUrl(url)}: ${e instanceof Error ? (e.cause instanceof Error ? e.cause.message : e.message) : String(e)}` };
  }
  const text = await res.text();
  const isJson = /[/+]json\b/i.test(res.headers.get("content-type") ?? "");
  const response: HttpResponse = { status: res.status, headers: Object.fromEntries(res.headers), body: text === "" ? null : isJson ? parseJson(text) : text };
  if (!statusExpected(res.status, args.expectStatus)) {
    const permanent = res.status >= 400 && res.status < 500 && ![404, 408, 429].includes(res.status);
    const message = `GET ${redactUrl(url)} returned ${res.status}, expected ${args.expectStatus === undefined ? "2xx" : String(args.expectStatus)}`;
    if (permanent) throw new FailTask(`${message}: ${text.slice(0, 500)}`);
    return { done: false, reason: message } satisfies CheckResult;
  }
  return { done: true, value: response };
};

async function request(args: HttpCheckArgs, env: CheckEnv): Promise<{ url: string; headers: Headers }> {
  const headers = new Headers();
  let url: string;
  if (args.conn !== undefined) {
    const conn = await env.connection(args.conn);
    url = buildUrl(connectionBaseUrl(conn), args.path, args.query);
    const auth = connectionAuth(conn);
    if (auth) headers.set("authorization", auth);
  } else {
    url = buildUrl(String(args.url), undefined, args.query);
  }
  for (const [k, v] of Object.entries(args.headers ?? {})) headers.set(k, v);
  return { url, headers };
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
