import { z } from "zod";
import { FailTask } from "../core/errors.js";
import type { TaskContext } from "./context.js";
import type { RuntimeTask, ShellInvocation } from "./definition.js";
import { show } from "./option-checks.js";
import { renderShell, type ShellBody } from "./render-shell.js";
import type { ParamsSchema } from "./dag-options.js";
import type { TaskNode } from "./task-ref.js";

type AnyFn = (ctx: TaskContext<unknown>, inputs: Record<string, unknown>) => unknown;

/**
 * What the task runner executes for one declared task. `ctx.params` is parsed with the DAG's zod
 * schema first, so defaults, coercions and transforms apply and the typed params are honest.
 */
export function runtimeTask(node: TaskNode, dag: { params: ParamsSchema | undefined; timezone: string }, downstream: () => string[]): RuntimeTask {
  const params = dag.params;
  const withParams = (ctx: TaskContext): TaskContext<unknown> => {
    if (!params) return ctx;
    const parsed = params.safeParse(ctx.params);
    if (!parsed.success) throw new FailTask(`params do not match the DAG's params schema:\n${z.prettifyError(parsed.error)}`);
    return { ...ctx, params: parsed.data };
  };
  const body = node.body;
  if (body.kind === "shell") {
    return {
      taskId: node.taskId,
      kind: "shell",
      run: () => Promise.reject(new Error(`task "${node.taskId}" is a shell task; the executor runs shell(ctx).command`)),
      shell: (ctx): ShellInvocation => renderShell(withParams(ctx), body as ShellBody, dag.timezone),
    };
  }
  const fn = body.fn as AnyFn;
  return {
    taskId: node.taskId,
    kind: node.kind,
    ...(node.options.sensitive === true ? { sensitive: true } : {}),
    async run(ctx, inputs) {
      const result = await fn(withParams(ctx), inputs);
      if (node.kind === "short_circuit") return Boolean(result);
      if (node.kind === "branch") return checkBranchChoice(node.taskId, result, downstream());
      return result;
    },
  };
}

function checkBranchChoice(taskId: string, result: unknown, downstream: string[]): string[] | null {
  if (result === null || result === undefined) return null;
  const chosen = typeof result === "string" ? [result] : result;
  if (!Array.isArray(chosen) || chosen.some((id) => typeof id !== "string")) {
    throw new FailTask(`branch "${taskId}" must return a task id, a list of task ids or null, got ${show(result)}`);
  }
  const unknown = chosen.filter((id: string) => !downstream.includes(id));
  if (unknown.length > 0) {
    throw new FailTask(
      `branch "${taskId}" returned ${unknown.map((id: string) => `"${id}"`).join(", ")}, which is not a direct downstream task; ` +
        `choose among: ${downstream.join(", ") || "(none)"}`,
    );
  }
  return chosen as string[];
}
