import type { DagVersionRecord, RunRecord, TaskInstanceRecord } from "../../core/model/records.js";
import { resolveParams } from "../../core/params/resolve-params.js";
import { renderTemplate } from "../../core/templating/render-template.js";
import { templateVariables } from "../../core/templating/template-variables.js";
import { isSealedOutput } from "../../core/ports/output-sealer.js";

/** The task's JSON return value; null when it returned nothing; `"***"` when it is sensitive (sealed). */
export function returnValueOf(ti: TaskInstanceRecord): unknown {
  if (ti.output === null) return null;
  if (isSealedOutput(ti.output)) return "***";
  try {
    return JSON.parse(ti.output) as unknown;
  } catch {
    return ti.output;
  }
}

/** A shell task's static command rendered for this run; null when there is none or it cannot render. */
export function renderedCommandOf(version: DagVersionRecord | undefined, run: RunRecord, ti: TaskInstanceRecord): string | null {
  const spec = version?.spec;
  const task = spec?.tasks.find((t) => t.taskId === ti.taskId);
  if (!spec || !task || task.kind !== "shell" || task.command === null) return null;
  try {
    const params = resolveParams(spec.paramsSchema, spec.paramsDefaults, run.conf);
    return renderTemplate(
      task.command,
      templateVariables({
        dagId: run.dagId,
        runId: run.runId,
        taskId: ti.taskId,
        tryNumber: Math.max(ti.tryNumber, 1),
        logicalDate: run.logicalDate,
        dataIntervalStart: run.dataIntervalStart,
        dataIntervalEnd: run.dataIntervalEnd,
        timezone: spec.timezone,
        params,
        conf: run.conf,
      }),
    );
  } catch {
    return null;
  }
}
