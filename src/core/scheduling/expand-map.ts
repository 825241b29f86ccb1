import type { MapSpec } from "../model/dag-spec.js";
import type { TaskState } from "../model/states.js";

/** The lists a mapped task expands over, by input name, in declaration order (upstream lists first). */
export type MapLists = [name: string, list: readonly unknown[]][];

export type Expansion = { ok: true; lists: MapLists; length: number } | { ok: false; error: string };

/**
 * How many copies a mapped task gets: the product of its lists' lengths (several lists expand as a
 * cross product, like Airflow's `expand(a=…, b=…)`). `outputOf` gives an upstream's decoded return
 * value; an object maps over its `[key, value]` pairs, as Airflow maps a dict. Any other value, or
 * a product above `maxLength`, is an error that names the input, the upstream and the limit.
 *
 * @example expandMap("load", { over: { file: "list" }, values: {}, partial: {}, maxLength: 10, maxActive: null }, () => ["a", "b"])
 *          // { ok: true, length: 2, lists: [["file", ["a", "b"]]] }
 */
export function expandMap(taskId: string, map: MapSpec, outputOf: (upstreamId: string) => unknown): Expansion {
  const lists: MapLists = [];
  for (const [name, upstreamId] of Object.entries(map.over)) {
    const value = outputOf(upstreamId);
    // As in Airflow, a dict maps over its (key, value) pairs: each copy gets [key, value].
    if (isPlainObject(value)) {
      lists.push([name, Object.entries(value)]);
      continue;
    }
    if (!Array.isArray(value)) {
      return {
        ok: false,
        error: `task "${taskId}" is mapped over input "${name}", but upstream "${upstreamId}" returned ${describe(value)}, not a list or an object`,
      };
    }
    lists.push([name, value]);
  }
  for (const [name, list] of Object.entries(map.values)) lists.push([name, list]);
  let length = 1;
  for (const [, list] of lists) length *= list.length;
  if (length > map.maxLength) {
    const sizes = lists.map(([n, l]) => `${n}: ${l.length}`).join(" × ");
    return { ok: false, error: `task "${taskId}" would expand to ${length} copies (${sizes}), above its maxMapLength of ${map.maxLength}` };
  }
  return { ok: true, lists, length };
}

/**
 * The arguments of copy `index`: one element of each list (the last list varies fastest) plus the
 * constant `partial` arguments.
 */
export function mapArguments(map: MapSpec, lists: MapLists, index: number): Record<string, unknown> {
  const args: Record<string, unknown> = { ...map.partial };
  let rest = index;
  for (let i = lists.length - 1; i >= 0; i--) {
    const [name, list] = lists[i]!;
    args[name] = list[rest % list.length];
    rest = Math.floor(rest / list.length);
  }
  return args;
}

/**
 * The state of a mapped task once all its copies are finished: failed when any copy failed (or
 * could not run), success when any succeeded, else skipped. Null while a copy is unfinished.
 */
export function mappedTaskState(copies: readonly TaskState[]): "success" | "failed" | "skipped" | null {
  let success = false;
  let failed = false;
  for (const s of copies) {
    if (s === "failed" || s === "upstream_failed") failed = true;
    else if (s === "success") success = true;
    else if (s !== "skipped" && s !== "removed") return null;
  }
  return failed ? "failed" : success ? "success" : "skipped";
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined || value === null) return "nothing";
  if (typeof value === "object") return "an object";
  return `a ${typeof value} (${JSON.stringify(value).slice(0, 60)})`;
}
