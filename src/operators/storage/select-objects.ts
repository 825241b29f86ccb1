import { InvalidInputError } from "../../core/errors.js";
import { matchSegments } from "../sensors/glob.js";
import type { ObjectInfo, ObjectStore } from "./object-store.js";
import { hasWildcards, isPrefix, type ObjectUrl } from "./object-url.js";

/** Which objects an operator works on, besides the URL. */
export interface Selection {
  /** A glob relative to the URL's prefix: `*` and `?` within one segment, `**` for any folders. */
  glob?: string;
  /** Explicit keys relative to the URL's prefix. */
  keys?: readonly string[];
}

/** A selected object: its info and its key relative to the selection's prefix. */
export interface Selected {
  info: ObjectInfo;
  /** The key below the prefix (for a single object, its last segment): appended to a destination prefix. */
  relative: string;
}

/** How a URL plus selection reads: a prefix with an optional filter, or one object. */
export type SelectionPlan = { kind: "prefix"; prefix: string; glob: string[] | null; keys: readonly string[] | null } | { kind: "single"; key: string };

/**
 * The plan for a URL: a URL ending in "/" (or a bare bucket) is a prefix; wildcards in the URL
 * make a glob from the first wildcard segment on; otherwise it is one object. `glob` and `keys`
 * go with a prefix URL only.
 */
export function planSelection(url: ObjectUrl, selection: Selection, where: string): SelectionPlan {
  if (selection.glob !== undefined && selection.keys !== undefined) throw new InvalidInputError(`${where}: give glob or keys, not both`);
  if (hasWildcards(url.key)) {
    if (selection.glob !== undefined || selection.keys !== undefined)
      throw new InvalidInputError(`${where}: the URL already holds a glob; drop the glob/keys option`);
    const segments = url.key.split("/");
    const first = segments.findIndex((s) => hasWildcards(s));
    return {
      kind: "prefix",
      prefix: segments
        .slice(0, first)
        .map((s) => `${s}/`)
        .join(""),
      glob: segments.slice(first),
      keys: null,
    };
  }
  if (isPrefix(url.key)) {
    if (selection.keys !== undefined) {
      if (!Array.isArray(selection.keys) || selection.keys.some((k) => typeof k !== "string" || k === "" || k.startsWith("/"))) {
        throw new InvalidInputError(`${where}: keys must be an array of non-empty keys relative to the URL's prefix`);
      }
    }
    const glob = selection.glob === undefined ? null : selection.glob.split("/").filter((s) => s !== "");
    if (glob !== null && glob.length === 0) throw new InvalidInputError(`${where}: glob is empty`);
    return { kind: "prefix", prefix: url.key, glob, keys: selection.keys ?? null };
  }
  if (selection.glob !== undefined || selection.keys !== undefined) {
    throw new InvalidInputError(`${where}: glob and keys need a prefix URL ending with "/" (got the single object ${JSON.stringify(url.key)})`);
  }
  return { kind: "single", key: url.key };
}

/** The objects a plan selects, in key order. Explicit keys that do not exist are in `missing`. */
export async function selectObjects(
  store: ObjectStore,
  container: string,
  plan: SelectionPlan,
  signal?: AbortSignal,
): Promise<{ objects: Selected[]; missing: string[] }> {
  if (plan.kind === "single") {
    const info = await store.head(container, plan.key, signal);
    return info ? { objects: [{ info, relative: plan.key.split("/").pop()! }], missing: [] } : { objects: [], missing: [plan.key] };
  }
  if (plan.keys !== null) {
    const objects: Selected[] = [];
    const missing: string[] = [];
    for (const relative of plan.keys) {
      const info = await store.head(container, `${plan.prefix}${relative}`, signal);
      if (info) objects.push({ info, relative });
      else missing.push(`${plan.prefix}${relative}`);
    }
    return { objects, missing };
  }
  const objects: Selected[] = [];
  for await (const info of store.list(container, plan.prefix, signal)) {
    const relative = info.key.slice(plan.prefix.length);
    if (relative === "" || relative.endsWith("/")) continue; // folder markers
    if (plan.glob !== null && !matchSegments(plan.glob, relative.split("/"))) continue;
    objects.push({ info, relative });
  }
  objects.sort((a, b) => (a.info.key < b.info.key ? -1 : a.info.key > b.info.key ? 1 : 0));
  return { objects, missing: [] };
}
