import type { Clock } from "../../core/ports/clock.js";
import { maskText } from "../../core/secrets/mask-text.js";
import { DeliveryError } from "./delivery-error.js";

export interface HttpResponse {
  status: number;
  text: string;
  /** The body as JSON, or undefined when it is not JSON. */
  json: unknown;
}

export interface HttpRequest {
  method?: "GET" | "POST" | "PUT";
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON unless `rawBody` is given. */
  body?: unknown;
  rawBody?: string;
  /** Values to mask in any error text (the URL's token, the API key). */
  secrets: string[];
  /** What to call the far end in errors, e.g. "Slack webhook at hooks.slack.com". */
  what: string;
}

/** Statuses another try may fix: timeouts, conflicts of the moment, rate limits, server errors. */
const RETRYABLE = new Set([408, 409, 425, 429]);
const MAX_ERROR_BODY = 300;

/**
 * HTTP for notifiers: fetch with a time limit kept on the injected clock, a non-2xx answer turned
 * into a {@link DeliveryError} (retryable for 408/409/425/429/5xx; Retry-After honoured) whose
 * text names the far end and a start of its answer, with the request's secrets masked.
 */
export class HttpClient {
  constructor(
    private readonly clock: Clock,
    private readonly timeoutMs = 10_000,
  ) {}

  async request(r: HttpRequest): Promise<HttpResponse> {
    const controller = new AbortController();
    let timedOut = false;
    const cancel = this.clock.setTimer(this.timeoutMs, () => {
      timedOut = true;
      controller.abort();
    });
    const mask = (text: string) => maskText(text, [...r.secrets, ...r.secrets.map(encodeURIComponent), r.url]);
    let response: Response;
    let text: string;
    try {
      const body = r.rawBody ?? (r.body === undefined ? undefined : JSON.stringify(r.body));
      response = await fetch(r.url, {
        method: r.method ?? "POST",
        headers: { "user-agent": "Baton", ...(body === undefined ? {} : { "content-type": "application/json" }), ...r.headers },
        ...(body === undefined ? {} : { body }),
        signal: controller.signal,
        redirect: "error",
      });
      text = await response.text();
    } catch (e) {
      if (timedOut) throw new DeliveryError(`${r.what}: no answer within ${this.timeoutMs} ms`, true);
      const cause = (e as { cause?: { code?: string; message?: string } }).cause;
      const why = cause?.code ?? cause?.message ?? (e as Error).message;
      throw new DeliveryError(mask(`${r.what}: cannot reach it (${why})`), true);
    } finally {
      cancel();
    }
    let json: unknown;
    try {
      json = text === "" ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (response.status >= 200 && response.status < 300) return { status: response.status, text, json };
    const snippet = text.length > MAX_ERROR_BODY ? `${text.slice(0, MAX_ERROR_BODY)}…` : text;
    const retryable = RETRYABLE.has(response.status) || response.status >= 500;
    throw new DeliveryError(
      mask(`${r.what}: HTTP ${response.status}${snippet === "" ? "" : `: ${snippet.replace(/\s+/g, " ")}`}`),
      retryable,
      retryAfterMs(response.headers.get("retry-after"), this.clock.now()),
    );
  }
}

/** Retry-After in seconds or as an HTTP date; null when absent or unreadable. */
function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null) return null;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}
