import { DagDefinitionError } from "../core/errors.js";
import type { DagSpec } from "../core/model/dag-spec.js";
import { userCallSite, type LazyCallSite } from "./call-site.js";
import { DagBuilderImpl, withBuilder, type DagBuilder } from "./dag-builder.js";
import { resolveDagOptions, type DagOptions, type ParamsOf, type ParamsSchema } from "./dag-options.js";
import { DAG_BRAND, type DagDefinition, type RuntimeCallback, type RuntimeTask } from "./definition.js";
import { CALLBACK_OPTIONS } from "../core/model/callbacks.js";
import { CallbackFunctions, TASK_CALLBACK_KEYS } from "./callback-options.js";
import { show } from "./option-checks.js";
import { runtimeTask } from "./runtime-task.js";
import { resolveEdges, toTaskSpec } from "./task-spec.js";

/**
 * Declares a DAG. `build` runs at once and declares the tasks with `d.task()`, `d.shell()`,
 * `d.branch()`, `d.shortCircuit()` (or the free functions of the same names). Export the result
 * from the DAG file; one file may export several DAGs.
 *
 * @example
 * export default dag({ id: "hello", schedule: "@daily", startDate: "2026-01-01" }, (d) => {
 *   const greet = d.task("greet", (ctx) => `hello ${ctx.ds}`);
 *   d.task("print", { inputs: { text: greet } }, (ctx, { text }) => ctx.log.info(text));
 * });
 */
export function dag<S extends ParamsSchema | undefined = undefined>(options: DagOptions<S>, build: (d: DagBuilder<ParamsOf<S>>) => void): DagDefinition {
  const site = userCallSite();
  if (typeof options !== "object" || options === null) {
    throw new DagDefinitionError(
      `dag() needs options with an id, e.g. dag({ id: "my_dag" }, (d) => { … }); got ${show(options)}`,
      site?.file ?? null,
      site?.line ?? null,
    );
  }
  if (typeof build !== "function") {
    throw new DagDefinitionError(
      `dag({ id: ${show(options.id)} }) needs a callback declaring its tasks: dag({ … }, (d) => { d.task(…) })`,
      site?.file ?? null,
      site?.line ?? null,
    );
  }
  const builder = new DagBuilderImpl();
  const result: unknown = withBuilder(builder, () => build(builder as unknown as DagBuilder<ParamsOf<S>>));
  if (typeof (result as { then?: unknown } | null)?.then === "function") {
    builder.problems.push({ message: "the dag() callback must be synchronous; declare tasks directly and do the work inside tasks", site });
  }
  return new SdkDag(options as DagOptions, builder, site);
}

class SdkDag implements DagDefinition {
  readonly [DAG_BRAND] = true as const;
  readonly dagId: string;
  #runtime = new Map<string, RuntimeTask>();
  #callbackFns: RuntimeCallback[] | undefined;

  constructor(
    private readonly options: DagOptions,
    private readonly builder: DagBuilderImpl,
    private readonly site: LazyCallSite | null,
  ) {
    this.dagId = String(options.id);
  }

  toSpec(): Omit<DagSpec, "fileloc"> {
    const first = this.builder.problems[0];
    if (first) throw this.error(first.message, first.site);
    let resolved;
    try {
      resolved = resolveDagOptions(this.options);
    } catch (e) {
      throw this.error(e, this.site);
    }
    const defaults = this.options.defaults ?? {};
    const tasks = this.builder.nodes.map((node) => {
      try {
        return toTaskSpec(node, defaults);
      } catch (e) {
        throw this.error(e, node.site, node.taskId);
      }
    });
    const fns = new CallbackFunctions();
    const callbacks = this.callbacksOf(fns, this.options as unknown as Record<string, unknown>, CALLBACK_OPTIONS, this.site);
    const withCallbacks = tasks.map((spec, i) => {
      const node = this.builder.nodes[i]!;
      const own = this.callbacksOf(fns, node.options, TASK_CALLBACK_KEYS, node.site, node.taskId);
      return own ? { ...spec, callbacks: own } : spec;
    });
    return { ...resolved, ...(callbacks ? { callbacks } : {}), tasks: withCallbacks };
  }

  getCallback(index: number): RuntimeCallback | undefined {
    if (this.#callbackFns === undefined) {
      const fns = new CallbackFunctions();
      fns.resolve(this.options as unknown as Record<string, unknown>, CALLBACK_OPTIONS);
      for (const node of this.builder.nodes) fns.resolve(node.options, TASK_CALLBACK_KEYS);
      this.#callbackFns = fns.list as RuntimeCallback[];
    }
    return this.#callbackFns[index];
  }

  private callbacksOf(
    fns: CallbackFunctions,
    options: Record<string, unknown>,
    keys: Parameters<CallbackFunctions["resolve"]>[1],
    site: LazyCallSite | null,
    taskId?: string,
  ) {
    try {
      return fns.resolve(options, keys);
    } catch (e) {
      throw this.error(e, site, taskId);
    }
  }

  getTask(taskId: string): RuntimeTask | undefined {
    const cached = this.#runtime.get(taskId);
    if (cached) return cached;
    const node = this.builder.nodes.find((n) => n.taskId === taskId);
    if (!node) return undefined;
    const downstream = () => this.builder.nodes.filter((n) => resolveEdges(n).upstream.includes(taskId)).map((n) => n.taskId);
    const dag = { params: this.options.params, timezone: this.options.timezone ?? "UTC" };
    const task = runtimeTask(node, dag, downstream);
    this.#runtime.set(taskId, task);
    return task;
  }

  private error(e: unknown, site: LazyCallSite | null, taskId?: string): DagDefinitionError {
    if (e instanceof DagDefinitionError) return e;
    const message = e instanceof Error ? e.message : String(e);
    const where = taskId === undefined ? `DAG "${this.dagId}"` : `DAG "${this.dagId}", task "${taskId}"`;
    return new DagDefinitionError(`${where}: ${message}`, site?.file ?? null, site?.line ?? null, { cause: e });
  }
}
