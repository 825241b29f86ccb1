import { BatonError, FailTask } from "../../core/errors.js";
import { renderTemplate } from "../../core/templating/render-template.js";
import { contextTemplateVariables } from "../../sdk/context-template-variables.js";
import type { TaskContext } from "../../sdk/context.js";

/** Renders templates ({{ ds }}, {{ params.x }}…) with the variables of one task attempt. */
export type Render = (template: string) => string;

/**
 * The template renderer of an attempt. `ds`/`ds_nodash` come from the context, which already
 * holds them in the DAG's time zone. An unknown variable fails the task without retries.
 */
export function templateRenderer(ctx: TaskContext<unknown>): Render {
  const vars = contextTemplateVariables(ctx);
  return (template) => {
    try {
      return renderTemplate(template, vars);
    } catch (e) {
      if (e instanceof BatonError) throw new FailTask(`task "${ctx.taskId}": ${e.message}`, { cause: e });
      throw e;
    }
  };
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
