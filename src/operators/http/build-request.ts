import { FailTask } from "../../core/errors.js";
import type { Connection } from "../../core/model/connection.js";

/**
 * The base URL of an HTTP connection: scheme from its type (https, else http) unless the host
 * holds one, then host, port and schema (a base path).
 */
export function connectionBaseUrl(conn: Connection): string {
  if (!conn.host) throw new FailTask(`connection "${conn.id}" has no host`);
  const hasScheme = conn.host.includes("://");
  const scheme = conn.type === "https" ? "https" : "http";
  const host = hasScheme
    ? conn.host.replace(/\/+$/, "")
    : `${scheme}://${conn.host.includes(":") && !conn.host.startsWith("[") ? `[${conn.host}]` : conn.host}`;
  const port = conn.port !== null ? `:${conn.port}` : "";
  const base = conn.schema ? `/${conn.schema.replace(/^\/+|\/+$/g, "")}` : "";
  return `${host}${port}${base}`;
}

/** Authorization from the connection: extra `token` → Bearer, else login/password → Basic. */
export function connectionAuth(conn: Connection): string | null {
  const token = conn.extra.token;
  if (token) return `Bearer ${token}`;
  if (conn.login !== null) return `Basic ${Buffer.from(`${conn.login}:${conn.password ?? ""}`).toString("base64")}`;
  return null;
}

/** Joins a base URL and a path ("/hooks" or "hooks") and appends query parameters. */
export function buildUrl(base: string, path: string | undefined, query: Record<string, string | number | boolean> | undefined): string {
  let url = base;
  if (path) url = `${base.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
  const u = new URL(url);
  for (const [k, v] of Object.entries(query ?? {})) u.searchParams.append(k, String(v));
  return u.toString();
}

/** True when `status` is expected: the listed codes, or any 2xx when none are given. */
export function statusExpected(status: number, expect: number | readonly number[] | undefined): boolean {
  if (expect === undefined) return status >= 200 && status < 300;
  return (typeof expect === "number" ? [expect] : expect).includes(status);
}
