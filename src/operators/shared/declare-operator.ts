import { InvalidInputError } from "../../core/errors.js";
import type { OperatorLineage } from "../../core/model/operator-lineage.js";
import type { TaskContext } from "../../sdk/context.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { TaskPolicyOptions } from "../../sdk/task-options.js";
import { POLICY_KEYS } from "../../sdk/task-options.js";
import { TaskNode, type TaskRef, type Upstream } from "../../sdk/task-ref.js";
import { templateRefs } from "../../core/templating/template-refs.js";
import { prepareTemplates } from "./render.js";

/**
 * The task options every operator takes beside its own: retries, timeout, triggerRule, pool…,
 * `after` and `doc` (not `inputs`: an operator's work is described by its options, not by
 * upstream values). They are written next to the operator's options, as with `shell()`.
 */
export interface OperatorTaskOptions extends TaskPolicyOptions {
  /** Ordering dependencies: tasks (or task ids) that must finish first. */
  after?: Upstream | readonly Upstream[];
  /** Markdown shown in the UI. */
  doc?: string;
}

const TASK_KEYS: readonly string[] = [...POLICY_KEYS, "after", "doc"];

/**
 * Declares an operator as a normal function task of `d`: the task options go to `d.task`, the
 * operator's own options (`ownKeys`) to `run`. An unknown key is an error naming the valid ones.
 * `lineage`, when given, says what the operator reads and writes; it is kept in the task's spec.
 */
export function declareOperator<P, O extends object, R>(
  d: DagBuilder<P>,
  operator: string,
  id: string,
  options: O,
  ownKeys: readonly string[],
  run: (ctx: TaskContext<P>, own: O) => Promise<R>,
  lineage?: (own: O) => Omit<OperatorLineage, "operator">,
): TaskRef<Awaited<R>> {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidInputError(`${operator}("${String(id)}") needs an options object`);
  }
  const taskOptions: Record<string, unknown> = {};
  const own: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) {
    if (TASK_KEYS.includes(key)) taskOptions[key] = value;
    else if (ownKeys.includes(key)) own[key] = value;
    else {
      throw new InvalidInputError(`${operator}("${id}"): unknown option "${key}"; valid options: ${[...ownKeys, ...TASK_KEYS].join(", ")}`);
    }
  }
  // Templates in the options may read upstream values and variables ({{ ti.value("x") }}, {{ var.name }}).
  const refs = templateRefs(own);
  const ref = d.task(id, taskOptions, async (ctx: TaskContext<P>, inputs: Record<string, unknown>) => {
    await prepareTemplates(ctx as TaskContext<unknown>, inputs, refs);
    return run(ctx, own as O);
  });
  if (ref instanceof TaskNode) ref.templateValues = refs.taskIds;
  if (lineage && ref instanceof TaskNode) ref.operator = { operator, ...lineage(own as O) };
  return ref;
}
