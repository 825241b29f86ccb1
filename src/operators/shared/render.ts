import { BatonError, FailTask } from "../../core/errors.js";
import { renderTemplate, TI_VALUES } from "../../core/templating/render-template.js";
import { tiValueInput } from "../../core/templating/template-refs.js";
import { contextTemplateVariables } from "../../sdk/context-template-variables.js";
import type { TaskContext } from "../../sdk/context.js";

/** Renders templates ({{ ds }}, {{ params.x }}…) with the variables of one task attempt. */
export type Render = (template: string) => string;

/**
 * The template renderer of an attempt. `ds`/`ds_nodash` come from the context, which already
 * holds them in the DAG's time zone. An unknown variable fails the task without retries.
 */
export function templateRenderer(ctx: TaskContext<unknown>): Render {
  const vars = { ...contextTemplateVariables(ctx), ...prepared.get(ctx) };
  return (template) => {
    try {
      return renderTemplate(template, vars);
    } catch (e) {
      if (e instanceof BatonError) throw new FailTask(`task "${ctx.taskId}": ${e.message}`, { cause: e });
      throw e;
    }
  };
}

/** What {@link prepareTemplates} fetched for an attempt's context: `ti.value` and `var`. */
const prepared = new WeakMap<object, Record<string, unknown>>();

/**
 * Fetches what the operator's templates read before they render (rendering is synchronous):
 * the upstream values `{{ ti.value("x") }}` names, which arrive as inputs `ti.value:<x>`, and
 * the variables `{{ var.name }}` (or `{{ var.value.name }}`) / `{{ var.json.name.path }}` name, through `ctx.variable` (so
 * their values are masked in logs and return values like any secret). An unknown variable
 * fails the task without retries, naming it.
 */
export async function prepareTemplates(
  ctx: TaskContext<unknown>,
  inputs: Record<string, unknown>,
  refs: { taskIds: string[]; variables: string[] },
): Promise<void> {
  if (refs.taskIds.length === 0 && refs.variables.length === 0) return;
  const tiValues: Record<string, unknown> = {};
  for (const id of refs.taskIds) if (Object.hasOwn(inputs, tiValueInput(id))) tiValues[id] = inputs[tiValueInput(id)];
  const text: Record<string, string> = {};
  const json: Record<string, unknown> = {};
  for (const key of refs.variables) {
    let value: string;
    try {
      value = await ctx.variable(key);
    } catch (e) {
      throw new FailTask(`task "${ctx.taskId}": template variable var.${key}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    text[key] = value;
    try {
      json[key] = JSON.parse(value) as unknown;
    } catch {
      /* not JSON: {{ var.json.<key> }} then names nothing */
    }
  }
  // `var.value.<key>` is Airflow's spelling of `var.<key>`; a variable named "value" keeps `{{ var.value }}`.
  prepared.set(ctx, { [TI_VALUES]: tiValues, var: { ...text, json, value: Object.hasOwn(text, "value") ? text.value : text } });
}

/** Renders every string inside a JSON-like value. */
export function renderDeep(value: unknown, render: Render): unknown {
  if (typeof value === "string") return render(value);
  if (Array.isArray(value)) return value.map((v) => renderDeep(v, render));
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renderDeep(v, render)]));
  }
  return value;
}
