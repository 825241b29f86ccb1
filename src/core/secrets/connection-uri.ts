import { InvalidInputError } from "../errors.js";
import type { Connection } from "../model/connection.js";

// scheme :// authority [/path] [?query] [#fragment]
const URI = /^([A-Za-z][A-Za-z0-9+.\-_]*):\/\/([^/?#]*)(?:\/([^?#]*))?(?:\?([^#]*))?(?:#.*)?$/;

/**
 * Parses a connection URI in Airflow's format:
 * `type://login:password@host:port/schema?key=value&__extra__=<url-encoded JSON object>`.
 * Every part is percent-decoded; empty parts become null. The scheme is kept as given.
 * Errors name the connection id, never the URI (it may hold the password).
 *
 * @example
 * parseConnectionUri("warehouse", "postgres://etl:s%40cret@db:5432/analytics?sslmode=require");
 * // { id: "warehouse", type: "postgres", host: "db", port: 5432, login: "etl", password: "s@cret",
 * //   schema: "analytics", extra: { sslmode: "require" } }
 */
export function parseConnectionUri(id: string, uri: string): Connection {
  const bad = (why: string) => new InvalidInputError(`connection "${id}": invalid URI (${why}); expected type://login:password@host:port/schema?key=value`);
  const m = URI.exec(uri.trim());
  if (m === null) throw bad("no type:// prefix or malformed");
  const [, type, authority = "", path, query] = m;
  if (FILE_TYPES.has(type!.toLowerCase())) {
    // sqlite:///tmp/a.db, duckdb://:memory: — everything before "?" is the file path.
    const file = decode(`${authority}${path === undefined ? "" : `/${path}`}`, "path", bad);
    return { id, type: type!, host: null, port: null, login: null, password: null, schema: emptyToNull(file), extra: parseQuery(query, bad) };
  }
  const at = authority.lastIndexOf("@");
  const userinfo = at >= 0 ? authority.slice(0, at) : null;
  const hostport = at >= 0 ? authority.slice(at + 1) : authority;

  let login: string | null = null;
  let password: string | null = null;
  if (userinfo !== null) {
    const colon = userinfo.indexOf(":");
    login = emptyToNull(decode(colon >= 0 ? userinfo.slice(0, colon) : userinfo, "login", bad));
    password = colon >= 0 ? emptyToNull(decode(userinfo.slice(colon + 1), "password", bad)) : null;
  }

  let hostText = hostport;
  let portText: string | null = null;
  const ipv6 = /^\[([^\]]*)\](?::(.*))?$/.exec(hostport);
  if (ipv6 !== null) {
    hostText = ipv6[1] ?? "";
    portText = ipv6[2] ?? null;
  } else {
    const colon = hostport.lastIndexOf(":");
    if (colon >= 0) {
      hostText = hostport.slice(0, colon);
      portText = hostport.slice(colon + 1);
    }
  }
  let port: number | null = null;
  if (portText !== null && portText !== "") {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw bad("the port must be a number from 0 to 65535");
    port = Number(portText);
  }

  const extra = parseQuery(query, bad);

  return {
    id,
    type: type!,
    host: emptyToNull(decode(hostText, "host", bad)),
    port,
    login,
    password,
    schema: path === undefined ? null : emptyToNull(decode(path, "schema", bad)),
    extra,
  };
}

/** File-based types: the URI holds a path, not host and schema (as Baton's SQL operators read it). */
const FILE_TYPES = new Set(["sqlite", "duckdb"]);

function parseQuery(query: string | undefined, bad: (why: string) => Error): Record<string, string> {
  const extra: Record<string, string> = {};
  if (query === undefined || query === "") return extra;
  for (const [k, v] of new URLSearchParams(query)) {
    if (k === "__extra__") Object.assign(extra, parseExtraJson(v, bad));
    else extra[k] = v;
  }
  return extra;
}

/** The inverse of {@link parseConnectionUri}: every part percent-encoded, extras as query parameters. */
export function connectionToUri(c: Connection): string {
  let uri = `${c.type}://`;
  if (FILE_TYPES.has(c.type.toLowerCase())) {
    uri += (c.schema ?? "").split("/").map(encodeURIComponent).join("/");
    return uri + queryOf(c.extra);
  }
  if (c.login !== null || c.password !== null) {
    uri += encodeURIComponent(c.login ?? "");
    if (c.password !== null) uri += `:${encodeURIComponent(c.password)}`;
    uri += "@";
  }
  if (c.host !== null) uri += c.host.includes(":") ? `[${c.host}]` : encodeURIComponent(c.host);
  if (c.port !== null) uri += `:${c.port}`;
  if (c.schema !== null) uri += `/${encodeURIComponent(c.schema)}`;
  return uri + queryOf(c.extra);
}

function queryOf(extra: Record<string, string>): string {
  const keys = Object.keys(extra);
  if (keys.length === 0) return "";
  const query = new URLSearchParams();
  for (const k of keys) query.append(k, extra[k]!);
  return `?${query.toString()}`;
}

function decode(text: string, part: string, bad: (why: string) => Error): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw bad(`the ${part} has an invalid percent-encoding`);
  }
}

function emptyToNull(text: string): string | null {
  return text === "" ? null : text;
}

function parseExtraJson(text: string, bad: (why: string) => Error): Record<string, string> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw bad("__extra__ is not valid JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw bad("__extra__ must be a JSON object");
  return normalizeExtra(value as Record<string, unknown>);
}

/** Extra values are strings: nested JSON is kept as its JSON text. */
export function normalizeExtra(value: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v === null || v === undefined) continue;
    out[k] = typeof v === "string" ? v : JSON.stringify(v);
  }
  return out;
}
