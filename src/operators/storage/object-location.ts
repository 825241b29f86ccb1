import { InvalidInputError } from "../../core/errors.js";
import type { Render } from "../shared/render.js";
import type { ObjectInfo } from "./object-store.js";
import { formatObjectUrl, parseObjectUrl, type ObjectUrl } from "./object-url.js";

/**
 * Where objects are: a URL (a template) and the connection serving it. A plain string is a URL
 * with no connection (the SDK's default credentials; file:// needs none).
 */
export type ObjectLocation = string | { url: string; conn?: string };

/** An object as operators return it (JSON: dates are ISO strings). */
export interface ObjectEntry {
  /** e.g. "s3://raw/incoming/a.csv" */
  url: string;
  key: string;
  size: number;
  /** ISO 8601, or null when the store does not say. */
  lastModified: string | null;
  /** The store's MD5 (hex) when it keeps one; see docs/object-storage.md. */
  md5: string | null;
}

export interface ResolvedLocation {
  url: ObjectUrl;
  conn: string | undefined;
}

/** Checks the shape of a location when the DAG loads (the URL is checked once rendered). */
export function checkLocation(where: string, value: unknown): void {
  if (typeof value === "string" && value.trim() !== "") return;
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    const { url, conn, ...rest } = value as { url?: unknown; conn?: unknown };
    const unknown = Object.keys(rest);
    if (unknown.length > 0) throw new InvalidInputError(`${where}: unknown key "${unknown[0]}"; valid keys: url, conn`);
    if (typeof url === "string" && url.trim() !== "" && (conn === undefined || (typeof conn === "string" && conn.trim() !== ""))) return;
  }
  throw new InvalidInputError(`${where} must be an object URL ("s3://bucket/prefix/") or { url, conn }`);
}

/** Renders and parses a location. */
export function resolveLocation(where: string, value: ObjectLocation, render: Render): ResolvedLocation {
  const raw = typeof value === "string" ? { url: value } : value;
  return { url: parseObjectUrl(render(raw.url), where), conn: raw.conn === undefined ? undefined : render(raw.conn) };
}

export function toEntry(url: ObjectUrl, info: ObjectInfo): ObjectEntry {
  return {
    url: formatObjectUrl({ ...url, key: info.key }),
    key: info.key,
    size: info.size,
    lastModified: info.lastModified === null ? null : info.lastModified.toISOString(),
    md5: info.md5,
  };
}
