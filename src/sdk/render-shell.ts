import { BatonError, FailTask } from "../core/errors.js";
import { renderTemplate } from "../core/templating/render-template.js";
import { contextTemplateVariables } from "./context-template-variables.js";
import type { TaskContext } from "./context.js";
import type { ShellInvocation } from "./definition.js";

export interface ShellBody {
  command: string | ((ctx: TaskContext<unknown>) => string);
  env: Record<string, string> | undefined;
  cwd: string | undefined;
}

/**
 * The shell command and env of a task, rendered with the run's template variables ({{ ds }},
 * {{ params.region }}…). A template naming an unknown variable fails the task without retries:
 * retrying cannot fix it.
 */
export function renderShell(ctx: TaskContext<unknown>, body: ShellBody, timezone: string): ShellInvocation {
  try {
    const vars = contextTemplateVariables(ctx, timezone);
    const command = typeof body.command === "function" ? body.command(ctx) : renderTemplate(body.command, vars);
    if (typeof command !== "string") throw new FailTask(`the command function of task "${ctx.taskId}" must return a string`);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(body.env ?? {})) env[k] = renderTemplate(v, vars);
    return { command, env, cwd: body.cwd ?? null };
  } catch (e) {
    if (e instanceof BatonError && !(e instanceof FailTask)) {
      throw new FailTask(`task "${ctx.taskId}": ${e.message}`, { cause: e });
    }
    throw e;
  }
}
