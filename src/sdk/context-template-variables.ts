import { taskInstanceKeyStr, templateVariables } from "../core/templating/template-variables.js";
import type { TaskContext } from "./context.js";

/**
 * The template variables ({{ ds }}, {{ params.region }}, {{ run_id }}…) of one task attempt.
 * `ds`/`ds_nodash` come from the context, which holds them in the DAG's time zone.
 */
export function contextTemplateVariables(ctx: TaskContext<unknown>, timezone = "UTC"): Record<string, unknown> {
  const vars = templateVariables({
    dagId: ctx.dagId,
    runId: ctx.runId,
    taskId: ctx.taskId,
    tryNumber: ctx.tryNumber,
    logicalDate: ctx.logicalDate?.getTime() ?? null,
    dataIntervalStart: ctx.dataInterval.start?.getTime() ?? null,
    dataIntervalEnd: ctx.dataInterval.end?.getTime() ?? null,
    timezone,
    params: (ctx.params ?? {}) as Record<string, unknown>,
    conf: ctx.conf,
    prevSuccess: ctx.prevSuccess && {
      dataIntervalStart: ctx.prevSuccess.dataInterval.start?.getTime() ?? null,
      dataIntervalEnd: ctx.prevSuccess.dataInterval.end?.getTime() ?? null,
      startedAt: ctx.prevSuccess.startedAt?.getTime() ?? null,
      endedAt: ctx.prevSuccess.endedAt?.getTime() ?? null,
    },
  });
  if (ctx.ds !== null) {
    vars.ds = ctx.ds;
    vars.ds_nodash = ctx.ds.replaceAll("-", "");
    vars.task_instance_key_str = taskInstanceKeyStr(ctx.dagId, ctx.taskId, vars.ds_nodash as string);
  }
  return vars;
}
