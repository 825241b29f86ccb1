import { InvalidInputError } from "../core/errors.js";
import { DEFAULT_MAX_MAP_LENGTH, type MapSpec } from "../core/model/dag-spec.js";
import { checkInteger, show } from "./option-checks.js";
import type { Inputs, TaskOptions } from "./task-options.js";
import { TaskNode, type TaskRef } from "./task-ref.js";

/**
 * What a mapped task expands over, by argument name: upstream tasks returning lists (or objects,
 * mapped over their `[key, value]` pairs as Airflow maps a dict), or literal lists.
 */
export type MapOver = Record<string, TaskRef<readonly unknown[]> | TaskRef<Record<string, unknown>> | readonly unknown[]>;

/** The element each copy receives for each mapped argument: a list's element, an object's `[key, value]`. */
export type MapValues<M> = {
  [K in keyof M]: M[K] extends TaskRef<infer U>
    ? U extends readonly (infer E)[]
      ? E
      : U extends Record<string, infer V>
        ? [string, V]
        : never
    : M[K] extends readonly (infer E)[]
      ? E
      : never;
};

/**
 * Options of a mapped `task()`: one copy runs per element of `map` (a cross product when it names
 * several lists), each with its own state, retries and log; downstream tasks receive the list of
 * the copies' results (those that succeeded, in map-index order).
 *
 * @example
 * const files = d.task("list_files", () => ["a.csv", "b.csv"]);
 * const rows = d.task("load", { map: { file: files }, partial: { table: "sales" }, maxActiveCopies: 4 },
 *   (ctx, { file, table }) => loadFile(file, table)); // rows: TaskRef<number[]>
 */
export interface MappedTaskOptions<M extends MapOver, I extends Inputs, C extends Record<string, unknown>, P = Record<string, unknown>> extends TaskOptions<
  I,
  P
> {
  /** Argument name → an upstream task returning a list (or an object: its [key, value] pairs), or a literal list. */
  map: M;
  /** Constant arguments every copy receives unchanged (JSON values). */
  partial?: C;
  /** The most copies one run may create; a longer list fails the task. Default 1024. */
  maxMapLength?: number;
  /** The most copies running at once in one run. Default: no limit beyond pools and maxActiveTasks. */
  maxActiveCopies?: number;
}

export const MAP_OPTION_KEYS = ["map", "partial", "maxMapLength", "maxActiveCopies"] as const;

/**
 * The task's MapSpec (null when it has no `map`) and the upstream ids it maps over. Throws
 * InvalidInputError naming the argument at fault.
 */
export function resolveMap(node: TaskNode, inputNames: readonly string[]): { map: MapSpec | null; upstream: string[] } {
  const o = node.options;
  if (o.map === undefined) {
    for (const key of MAP_OPTION_KEYS) {
      if (o[key] !== undefined) throw new InvalidInputError(`${key} applies only to a mapped task; add map: { name: upstreamTask } or remove it`);
    }
    return { map: null, upstream: [] };
  }
  if (node.kind !== "function") throw new InvalidInputError(`map is supported on task() only, not on ${node.kind} tasks`);
  if (!isPlainObject(o.map) || Object.keys(o.map).length === 0) {
    throw new InvalidInputError(`map must name at least one list to map over, e.g. { file: listFiles } or { n: [1, 2, 3] }, got ${show(o.map)}`);
  }
  const partial = o.partial ?? {};
  if (!isPlainObject(partial)) throw new InvalidInputError(`partial must be an object of constant arguments, got ${show(partial)}`);
  const over: Record<string, string> = {};
  const values: Record<string, unknown[]> = {};
  for (const [name, v] of Object.entries(o.map)) {
    if (inputNames.includes(name) || name in partial) {
      throw new InvalidInputError(
        `map argument "${name}" is also named in ${inputNames.includes(name) ? "inputs" : "partial"}; each argument name may appear once`,
      );
    }
    if (v instanceof TaskNode) {
      if (v.owner !== node.owner) throw new InvalidInputError(`map argument "${name}" refers to task "${v.taskId}" of another DAG`);
      over[name] = v.taskId;
    } else if (Array.isArray(v)) {
      values[name] = jsonValue(v, `map argument "${name}"`) as unknown[];
    } else {
      throw new InvalidInputError(`map argument "${name}" must be an upstream task returning a list, or a list, got ${show(v)}`);
    }
  }
  for (const name of Object.keys(partial)) {
    if (inputNames.includes(name)) throw new InvalidInputError(`partial argument "${name}" is also named in inputs; each argument name may appear once`);
  }
  if (o.triggerRule === "always" && Object.keys(over).length > 0) {
    // As in Airflow: with "always" the task would run even when the upstream it maps over failed, with no list to map.
    throw new InvalidInputError(
      `triggerRule "always" is not allowed on a task mapped over an upstream task's value (${Object.keys(over).join(", ")}): ` +
        `the upstream may fail and leave no list to map; use "all_done" or map over a literal list`,
    );
  }
  const maxLength = checkInteger(o.maxMapLength ?? DEFAULT_MAX_MAP_LENGTH, "maxMapLength", 1);
  const maxActive = o.maxActiveCopies === undefined ? null : checkInteger(o.maxActiveCopies, "maxActiveCopies", 1);
  return {
    map: { over, values, partial: jsonValue(partial, "partial") as Record<string, unknown>, maxLength, maxActive },
    upstream: Object.values(over),
  };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof TaskNode);
}

/** The value after a JSON round trip; refuses what JSON would change (functions, dates, NaN…). */
function jsonValue(v: unknown, what: string): unknown {
  const text = JSON.stringify(v);
  const back: unknown = JSON.parse(text);
  if (JSON.stringify(back) !== text || !sameShape(v, back)) {
    throw new InvalidInputError(`${what} must hold JSON values only (strings, numbers, booleans, null, arrays, plain objects)`);
  }
  return back;
}

function sameShape(a: unknown, b: unknown): boolean {
  if (a === null || typeof a !== "object") return a === b;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameShape(x, b[i]));
  if (Object.getPrototypeOf(a) !== Object.prototype) return false;
  const bo = b as Record<string, unknown>;
  return Object.entries(a).every(([k, x]) => x !== undefined && sameShape(x, bo[k]));
}
