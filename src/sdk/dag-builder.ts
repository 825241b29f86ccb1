import { DagDefinitionError } from "../core/errors.js";
import type { TaskKind } from "../core/model/dag-spec.js";
import { userCallSite, type LazyCallSite } from "./call-site.js";
import type { TaskContext } from "./context.js";
import { show } from "./option-checks.js";
import type { DatasetOptions } from "./dataset-options.js";
import type { MapOver, MappedTaskOptions, MapValues } from "./map-options.js";
import type { Inputs, InputValues, SetupTeardownOptions, TaskCallbackOptions, TaskOptions, TaskPolicyOptions } from "./task-options.js";
import { TaskNode, type TaskBody, type TaskRef, type Upstream } from "./task-ref.js";

/** What a branch task returns: the direct downstream task id(s) to follow, or null to skip them all. */
export type BranchChoice = string | readonly string[] | null;

/** Options of `shell()`. The command is rendered with the template variables ({{ ds }}, {{ params.x }}…). */
export interface ShellOptions<P = Record<string, unknown>> extends TaskPolicyOptions, DatasetOptions, TaskCallbackOptions<P>, SetupTeardownOptions {
  /** A template run with `bash -c`, or a function of the context returning the command (not templated). */
  command: string | ((ctx: TaskContext<P>) => string);
  /** Extra environment variables (values are templates too). */
  env?: Record<string, string>;
  /** Working directory; default: the worker's. */
  cwd?: string;
  after?: Upstream | readonly Upstream[];
  doc?: string;
}

type Awaitable<T> = T | Promise<T>;

/** The `d` of `dag(options, (d) => …)`: declares tasks with `ctx.params` typed from the DAG's params schema. */
export interface DagBuilder<P = Record<string, unknown>> {
  /** A task running `fn`; its (awaited) return value is what downstream `inputs` receive. */
  task<R>(id: string, fn: (ctx: TaskContext<P>) => R): TaskRef<Awaited<R>>;
  /**
   * A mapped task: one copy of `fn` per element of the lists in `map` (each copy gets one element
   * per name, plus `inputs` and `partial` whole); downstream tasks receive the copies' results.
   */
  task<M extends MapOver, I extends Inputs = {}, C extends Record<string, unknown> = {}, R = unknown>(
    id: string,
    options: MappedTaskOptions<M, I, C, P>,
    fn: (ctx: TaskContext<P>, args: InputValues<I> & MapValues<M> & C) => R,
  ): TaskRef<Awaited<R>[]>;
  task<I extends Inputs = {}, R = unknown>(id: string, options: TaskOptions<I, P>, fn: (ctx: TaskContext<P>, inputs: InputValues<I>) => R): TaskRef<Awaited<R>>;
  /** A task running a shell command; its value is the last non-empty line it printed (or null). */
  shell(id: string, options: ShellOptions<P>): TaskRef<string | null>;
  /** A task choosing which direct downstream tasks run; the others are skipped. */
  branch(id: string, fn: (ctx: TaskContext<P>) => Awaitable<BranchChoice>): TaskRef<BranchChoice>;
  branch<I extends Inputs = {}>(
    id: string,
    options: TaskOptions<I, P>,
    fn: (ctx: TaskContext<P>, inputs: InputValues<I>) => Awaitable<BranchChoice>,
  ): TaskRef<BranchChoice>;
  /** A task whose false result skips everything downstream of it. */
  shortCircuit(id: string, fn: (ctx: TaskContext<P>) => Awaitable<boolean>): TaskRef<boolean>;
  shortCircuit<I extends Inputs = {}>(
    id: string,
    options: TaskOptions<I, P>,
    fn: (ctx: TaskContext<P>, inputs: InputValues<I>) => Awaitable<boolean>,
  ): TaskRef<boolean>;
}

/** Collects the tasks declared in one `dag()` callback. */
export class DagBuilderImpl implements DagBuilder<never> {
  readonly nodes: TaskNode[] = [];
  /** Problems found while declaring, reported by toSpec(). */
  readonly problems: { message: string; site: LazyCallSite | null }[] = [];

  task(id: string, a: unknown, b?: unknown): TaskRef<never> {
    return this.add("function", id, a, b) as unknown as TaskRef<never>;
  }

  branch(id: string, a: unknown, b?: unknown): TaskRef<BranchChoice> {
    return this.add("branch", id, a, b) as TaskRef<BranchChoice>;
  }

  shortCircuit(id: string, a: unknown, b?: unknown): TaskRef<boolean> {
    return this.add("short_circuit", id, a, b) as TaskRef<boolean>;
  }

  shell(id: string, options: ShellOptions<never>): TaskRef<string | null> {
    const site = userCallSite();
    if (!isObject(options)) fail(`shell("${String(id)}") needs options with a command, e.g. { command: "echo {{ ds }}" }`, site);
    const body: TaskBody = { kind: "shell", command: options.command, env: options.env, cwd: options.cwd };
    return this.push(new TaskNode(this, String(id), "shell", options as Record<string, unknown>, body, site)) as TaskRef<string | null>;
  }

  private add(kind: TaskKind, id: string, a: unknown, b: unknown): TaskNode {
    const site = userCallSite();
    const [options, fn] = typeof a === "function" && b === undefined ? [{}, a] : [a, b];
    const what = kind === "short_circuit" ? "shortCircuit" : kind === "function" ? "task" : kind;
    if (!isObject(options)) fail(`${what}("${String(id)}"): options must be an object, got ${show(options)}`, site);
    if (typeof fn !== "function") fail(`${what}("${String(id)}"): the last argument must be the function to run`, site);
    const body = { kind, fn } as TaskBody;
    return this.push(new TaskNode(this, String(id), kind, options as Record<string, unknown>, body, site));
  }

  private push(node: TaskNode): TaskNode {
    this.nodes.push(node);
    return node;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function fail(message: string, site: LazyCallSite | null): never {
  throw new DagDefinitionError(message, site?.file ?? null, site?.line ?? null);
}

const active: DagBuilderImpl[] = [];

/** Runs a dag() callback with `builder` as the target of the free functions task(), shell()… */
export function withBuilder<T>(builder: DagBuilderImpl, fn: () => T): T {
  active.push(builder);
  try {
    return fn();
  } finally {
    active.pop();
  }
}

/** The builder of the dag() callback being run; throws when called outside one. */
export function activeBuilder(fnName: string): DagBuilderImpl {
  const builder = active.at(-1);
  if (builder) return builder;
  const site = userCallSite();
  return fail(`${fnName}() was called outside a dag() callback; declare tasks inside dag({ id: … }, (d) => { … }) ` + `or use d.${fnName}() there`, site);
}
