import { InvalidInputError } from "../../core/errors.js";

/** The stores an object URL can name, by scheme. */
export const STORE_SCHEMES = ["s3", "az", "gs", "file"] as const;
export type StoreScheme = (typeof STORE_SCHEMES)[number];

/**
 * An object address: `s3://bucket/key`, `az://container/blob`, `gs://bucket/key` or
 * `file:///absolute/path`. For `file`, `container` is "" and `key` is the path without its
 * leading "/". A `key` ending in "/" (or empty) is a prefix: a folder of objects.
 */
export interface ObjectUrl {
  scheme: StoreScheme;
  container: string;
  key: string;
}

/** Parses an object URL; the error names the option (`where`) and lists the valid forms. */
export function parseObjectUrl(url: string, where: string): ObjectUrl {
  const bad = (why: string) =>
    new InvalidInputError(
      `${where}: ${why}; expected s3://bucket/key, az://container/blob, gs://bucket/key or file:///absolute/path, got ${JSON.stringify(url)}`,
    );
  if (typeof url !== "string") throw bad("an object URL must be a string");
  const m = /^([a-z0-9]+):\/\/([^/]*)(\/.*)?$/i.exec(url.trim());
  if (m === null) throw bad("not a URL");
  const scheme = m[1]!.toLowerCase();
  const authority = m[2]!;
  const path = m[3] ?? "";
  if (!(STORE_SCHEMES as readonly string[]).includes(scheme)) throw bad(`unknown scheme "${scheme}" (valid: ${STORE_SCHEMES.join(", ")})`);
  if (scheme === "file") {
    if (authority !== "" && authority !== "localhost") throw bad("a file URL has no host: write file:///absolute/path");
    if (path === "" || path === "/") throw bad("a file URL needs a path below /");
    if (path.split("/").some((s) => s === "." || s === "..")) throw bad('a file URL may not contain "." or ".." segments');
    return { scheme: "file", container: "", key: path.slice(1) };
  }
  if (authority === "") throw bad(`${scheme}:// needs a ${scheme === "az" ? "container" : "bucket"} name`);
  return { scheme: scheme as StoreScheme, container: authority, key: path.replace(/^\//, "") };
}

/** The URL of an object, the inverse of {@link parseObjectUrl}. */
export function formatObjectUrl(u: ObjectUrl): string {
  return u.scheme === "file" ? `file:///${u.key}` : `${u.scheme}://${u.container}/${u.key}`;
}

/** Whether the key names a prefix (a "folder"): empty or ending with "/". */
export function isPrefix(key: string): boolean {
  return key === "" || key.endsWith("/");
}

/** Whether a key contains glob wildcards (`*`, `?`). */
export function hasWildcards(key: string): boolean {
  return /[*?]/.test(key);
}
