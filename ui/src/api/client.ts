/**
 * The one fetch wrapper: same-origin `/api/v1`, cookies included, JSON errors turned into
 * ApiError, the CSRF token sent on every mutation, and 401 reported to the app (→ login page).
 */
import type { ApiErrorBody } from "./types";

export const API_BASE = "/api/v1";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

let csrfPending: Promise<unknown> | null = null;

/**
 * The CSRF token is on its way (the page drew from the first data, which carries none:
 * api/seed-first-data.ts): mutations wait for it before they are sent.
 */
export function awaitCsrfToken(pending: Promise<unknown>): void {
  const settled = pending.then(
    () => undefined,
    () => undefined,
  );
  csrfPending = settled;
  void settled.then(() => {
    if (csrfPending === settled) csrfPending = null;
  });
}

/** Called on any 401 except from the login and /auth/me requests themselves. */
export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler;
}

type Method = "GET" | "POST" | "PATCH" | "DELETE";

export interface RequestOptions {
  body?: unknown;
  signal?: AbortSignal;
  /** Do not call the unauthorized handler on 401 (login, me). */
  quiet401?: boolean;
}

export function headersFor(method: Method, hasBody: boolean): Headers {
  const headers = new Headers({ Accept: "application/json" });
  if (hasBody) headers.set("Content-Type", "application/json");
  if (method !== "GET" && csrfToken) headers.set("X-CSRF-Token", csrfToken);
  return headers;
}

/** An early call's answer older than this is not used (the queries' staleTime is 10 s). */
export const EARLY_CALL_TTL_MS = 5_000;
const earlyCalls = new Map<string, { at: number; response: Promise<Response> }>();

/**
 * Starts GETs of these paths now, before the code that reads them has loaded (the entry script
 * does, for the page being opened: ui/src/boot/first-load.ts). `request()` takes a started call
 * for the same GET path once, within EARLY_CALL_TTL_MS; every later read fetches.
 */
export function startEarlyCalls(paths: readonly string[]): void {
  for (const path of paths) {
    const response = fetch(API_BASE + path, { credentials: "include", headers: headersFor("GET", false) });
    response.catch(() => undefined); // reported by the request() that takes it, not as unhandled
    earlyCalls.set(path, { at: performance.now(), response });
  }
}

/** Forgets the started calls (signed out: they were made without a session). */
export function dropEarlyCalls(): void {
  earlyCalls.clear();
}

function takeEarlyCall(path: string): Promise<Response> | undefined {
  const call = earlyCalls.get(path);
  if (!call) return undefined;
  earlyCalls.delete(path);
  return performance.now() - call.at <= EARLY_CALL_TTL_MS ? call.response : undefined;
}

export async function request<T>(method: Method, path: string, opts: RequestOptions = {}): Promise<T> {
  const hasBody = opts.body !== undefined;
  const early = method === "GET" && !hasBody ? takeEarlyCall(path) : undefined;
  if (method !== "GET" && csrfPending) await csrfPending;
  let res: Response;
  try {
    res = await (early ??
      fetch(API_BASE + path, {
        method,
        credentials: "include",
        headers: headersFor(method, hasBody),
        body: hasBody ? JSON.stringify(opts.body) : undefined,
        signal: opts.signal,
      }));
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, "network", "Cannot reach the Baton server. Is it running?");
  }
  if (!res.ok) throw await toApiError(res, opts.quiet401 ?? false);
  if (res.status === 204) return undefined as T;
  const type = res.headers.get("content-type") ?? "";
  return (type.includes("json") ? await res.json() : await res.text()) as T;
}

export async function toApiError(res: Response, quiet401: boolean): Promise<ApiError> {
  if (res.status === 401 && !quiet401) onUnauthorized?.();
  let body: Partial<ApiErrorBody> | undefined;
  try {
    body = (await res.json()) as Partial<ApiErrorBody>;
  } catch {
    body = undefined;
  }
  const err = body?.error;
  return new ApiError(res.status, err?.code ?? "internal", err?.message ?? `${res.status} ${res.statusText}`, err?.field);
}

export const api = {
  get: <T>(path: string, signal?: AbortSignal) => request<T>("GET", path, { signal }),
  post: <T>(path: string, body: unknown = {}) => request<T>("POST", path, { body }),
  patch: <T>(path: string, body: unknown) => request<T>("PATCH", path, { body }),
  del: <T>(path: string) => request<T>("DELETE", path),
};

/** Builds `?a=1&b=2`, leaving out empty values. */
export function qs(params: Record<string, string | number | boolean | null | undefined>): string {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") sp.set(k, String(v));
  const s = sp.toString();
  return s ? `?${s}` : "";
}

export const enc = encodeURIComponent;
