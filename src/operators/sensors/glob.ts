import type { Dirent } from "node:fs";
import { readdir } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";

/**
 * A small glob over POSIX paths: `*` matches any characters within one path segment, `?` one
 * character, and a segment `**` any number of segments (including none). Wildcards do not match a
 * leading "." (hidden files and folders), as in shells. Other characters match themselves.
 */
export interface Glob {
  /** The folder before the first wildcard segment, where the walk starts. */
  base: string;
  /** The segments after `base`. */
  segments: string[];
}

export function parseGlob(pattern: string, cwd = process.cwd()): Glob {
  const absolute = isAbsolute(pattern) ? pattern : resolve(cwd, pattern);
  const parts = absolute.split("/").filter((p, i) => p !== "" || i === 0);
  const firstWild = parts.findIndex(hasWildcard);
  if (firstWild === -1) {
    return { base: parts.slice(0, -1).join("/") || "/", segments: parts.slice(-1) };
  }
  return { base: parts.slice(0, firstWild).join("/") || "/", segments: parts.slice(firstWild) };
}

function hasWildcard(segment: string): boolean {
  return /[*?]/.test(segment);
}

const segmentRegexes = new Map<string, RegExp>();

/** Whether one path segment matches one pattern segment (not `**`). */
export function matchSegment(pattern: string, name: string): boolean {
  let re = segmentRegexes.get(pattern);
  if (!re) {
    const body = pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replaceAll("*", "[^/]*")
      .replaceAll("?", "[^/]");
    re = new RegExp(`^${/^[*?]/.test(pattern) ? "(?!\\.)" : ""}${body}$`);
    segmentRegexes.set(pattern, re);
  }
  return re.test(name);
}

/**
 * Whether path segments `names` match pattern `segments`; with `prefix`, whether they could be
 * the start of a match (a folder worth walking into).
 */
export function matchSegments(segments: readonly string[], names: readonly string[], prefix = false): boolean {
  const go = (i: number, j: number): boolean => {
    if (j === names.length) return prefix ? i < segments.length : segments.slice(i).every((s) => s === "**");
    if (i === segments.length) return false;
    const seg = segments[i]!;
    const name = names[j]!;
    if (seg === "**") return go(i + 1, j) || (!name.startsWith(".") && go(i, j + 1));
    return matchSegment(seg, name) && go(i + 1, j + 1);
  };
  return go(0, 0);
}

/** Regular files matching `pattern` (absolute, or relative to `cwd`), sorted. Symbolic links are not followed. */
export async function globFiles(pattern: string, cwd = process.cwd()): Promise<string[]> {
  const { base, segments } = parseGlob(pattern, cwd);
  const found: string[] = [];
  const walk = async (dir: string, names: string[]): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT" || (e as NodeJS.ErrnoException).code === "ENOTDIR") return;
      throw e;
    }
    for (const entry of entries) {
      const path = [...names, entry.name];
      if (entry.isFile() && matchSegments(segments, path)) found.push(join(dir, entry.name));
      else if (entry.isDirectory() && matchSegments(segments, path, true)) await walk(join(dir, entry.name), path);
    }
  };
  await walk(base, []);
  return found.sort();
}
