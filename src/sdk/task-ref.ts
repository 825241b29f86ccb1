import type { TaskKind } from "../core/model/dag-spec.js";
import type { OperatorLineage } from "../core/model/operator-lineage.js";
import { DagDefinitionError } from "../core/errors.js";
import { userCallSite, type LazyCallSite } from "./call-site.js";
import { show } from "./option-checks.js";

declare const OUTPUT: unique symbol;

/** Something that can be named as an upstream: a task reference or, for `after`, a task id. */
export type Upstream = TaskRef<unknown> | string;

/**
 * A task declared in a DAG. `T` is the task's return value (awaited); passing the ref in another
 * task's `inputs` hands that value to it, typed.
 *
 * @example
 * const extract = d.task("extract", async () => ({ rows: 3 }));
 * const load = d.task("load", { inputs: { e: extract } }, (ctx, { e }) => e.rows); // e: { rows: number }
 * extract.then(load); // ordering only (implied here by `inputs` already)
 */
export interface TaskRef<T = unknown> {
  readonly taskId: string;
  /** Type-level only: the value downstream tasks receive. Never set at runtime. */
  readonly [OUTPUT]?: T;
  /** Makes `next` run after this task; returns `next` so calls chain: `a.then(b).then(c)`. */
  then<N extends TaskRef<unknown>>(next: N): N;
  /** Fan-out: every task in the list runs after this one; returns the list. */
  then<const N extends readonly TaskRef<unknown>[]>(next: N): N;
  /** Makes this task run after the given tasks (refs or ids); returns this task. */
  after(...upstream: (Upstream | readonly Upstream[])[]): this;
  /**
   * One key of this task's return value, for another task's `inputs`: that task receives only
   * `value[key]` (undefined when the value has no such key or is not an object), typed. Airflow's
   * `multiple_outputs=True` with `extract["rows"]`, or `xcom_pull(task_ids="extract", key="rows")`.
   * Keys chain: `extract.key("meta").key("path")`.
   *
   * @example
   * const extract = d.task("extract", async () => ({ rows: 3, path: "s3://b/k" }));
   * d.task("count", { inputs: { rows: extract.key("rows") } }, (ctx, { rows }) => rows + 1); // rows: number
   */
  key<K extends KeyOf<T>>(key: K): TaskRef<ValueAt<T, K>>;
}

/** The string keys of a return value type (of its object members, for a union with null). */
export type KeyOf<T> = T extends object ? (T extends readonly unknown[] ? never : Extract<keyof T, string>) : never;
/** The type of `value[K]`; undefined joins it when the value may not be an object. */
export type ValueAt<T, K extends string> = T extends object ? (K extends keyof T ? T[K] : undefined) : undefined;

/** What a task runs, by kind. */
export type TaskBody =
  { kind: "function" | "branch" | "short_circuit"; fn: (...args: never[]) => unknown } | { kind: "shell"; command: unknown; env: unknown; cwd: unknown };

/** The SDK's implementation of TaskRef: one declared task of one DAG builder. */
export class TaskNode<T = unknown> implements TaskRef<T> {
  declare readonly [OUTPUT]?: T;
  /** Edges added by `then`/`after`/`chain`, in call order. */
  readonly extraUpstream: Upstream[] = [];
  /** Set by built-in operators: what they read and write, for lineage. */
  operator: OperatorLineage | null = null;
  /**
   * Set by built-in operators: tasks whose return values their templates read
   * (`{{ ti.value("extract") }}`): each becomes an upstream task and an input `ti.value:<id>`.
   */
  templateValues: string[] = [];

  constructor(
    /** The DAG builder that declared it (identity only). */
    readonly owner: object,
    readonly taskId: string,
    readonly kind: TaskKind,
    /** The task options as the user wrote them, checked by toSpec(). */
    readonly options: Record<string, unknown>,
    readonly body: TaskBody,
    readonly site: LazyCallSite | null,
  ) {}

  then<N extends TaskRef<unknown>>(next: N): N;
  then<const N extends readonly TaskRef<unknown>[]>(next: N): N;
  then(next: TaskRef<unknown> | readonly TaskRef<unknown>[]): unknown {
    for (const n of Array.isArray(next) ? next : [next]) asNode(n, "then()").extraUpstream.push(this);
    return next;
  }

  after(...upstream: (Upstream | readonly Upstream[])[]): this {
    for (const u of upstream.flat()) {
      if (typeof u !== "string") asNode(u, "after()");
      this.extraUpstream.push(u);
    }
    return this;
  }

  key<K extends KeyOf<T>>(key: K): TaskRef<ValueAt<T, K>> {
    return new KeyRef<ValueAt<T, K>>(this as TaskNode, [checkKey(key)]);
  }
}

/**
 * One key (or key path) of a task's return value, named in another task's `inputs`
 * ({@link TaskRef.key}). Ordering goes to the task itself.
 */
export class KeyRef<T = unknown> implements TaskRef<T> {
  declare readonly [OUTPUT]?: T;

  constructor(
    readonly node: TaskNode,
    readonly path: readonly string[],
  ) {}

  get taskId(): string {
    return this.node.taskId;
  }

  then<N extends TaskRef<unknown>>(next: N): N;
  then<const N extends readonly TaskRef<unknown>[]>(next: N): N;
  then(next: TaskRef<unknown> | readonly TaskRef<unknown>[]): unknown {
    return this.node.then(next as TaskRef<unknown>);
  }

  after(...upstream: (Upstream | readonly Upstream[])[]): this {
    this.node.after(...upstream);
    return this;
  }

  key<K extends KeyOf<T>>(key: K): TaskRef<ValueAt<T, K>> {
    return new KeyRef<ValueAt<T, K>>(this.node, [...this.path, checkKey(key)]);
  }
}

function checkKey(key: unknown): string {
  if (typeof key !== "string" || key === "") {
    const site = userCallSite();
    throw new DagDefinitionError(
      `key() expects a non-empty string naming a key of the task's return value, got ${show(key)}`,
      site?.file ?? null,
      site?.line ?? null,
    );
  }
  return key;
}

export function asNode(value: unknown, where: string): TaskNode {
  if (value instanceof TaskNode) return value;
  if (value instanceof KeyRef) return value.node;
  const site = userCallSite();
  throw new DagDefinitionError(
    `${where} expects tasks returned by task(), shell(), branch() or shortCircuit(); got ${show(value)}`,
    site?.file ?? null,
    site?.line ?? null,
  );
}
