import type { DagVersionRecord, RunRecord, TaskInstanceRecord } from "../../core/model/records.js";
import { resolveParams } from "../../core/params/resolve-params.js";
import { renderTemplate } from "../../core/templating/render-template.js";
import { templateVariables } from "../../core/templating/template-variables.js";
import { isSealedOutput } from "../../core/ports/output-sealer.js";
import { isOffloadedOutput, parseValueRef, valueUrl, type ValueStore } from "../../core/ports/value-store.js";

/** The task's JSON return value; null when it returned nothing; `"***"` when it is sensitive (sealed). */
export function returnValueOf(output: string | null): unknown {
  if (output === null) return null;
  if (isSealedOutput(output)) return "***";
  try {
    return JSON.parse(output) as unknown;
  } catch {
    return output;
  }
}

/** Where an offloaded value is (docs/storage.md#large-return-values); `error` when it could not be read. */
export interface OffloadedView {
  url: string;
  bytes: number;
  sha256: string;
  error: string | null;
}

/**
 * The detail's `returnValue`, `sensitive` and `offloaded`: an offloaded value is read from the
 * value store (null with `offloaded.error` when it cannot be); a sealed one is `"***"` either way.
 */
export async function storedReturnValue(
  ti: TaskInstanceRecord,
  values: ValueStore | null | undefined,
): Promise<{ returnValue: unknown; sensitive: boolean; offloaded: OffloadedView | null }> {
  if (!isOffloadedOutput(ti.output)) return { returnValue: returnValueOf(ti.output), sensitive: isSealedOutput(ti.output), offloaded: null };
  const ref = parseValueRef(ti.output);
  const offloaded = { url: valueUrl(values ?? null, ref), bytes: ref.bytes, sha256: ref.sha256 };
  if (!values)
    return { returnValue: null, sensitive: false, offloaded: { ...offloaded, error: "no value store is configured on this server (BATON_VALUE_STORE)" } };
  try {
    const text = await values.read(ref);
    return { returnValue: returnValueOf(text), sensitive: isSealedOutput(text), offloaded: { ...offloaded, error: null } };
  } catch (e) {
    return { returnValue: null, sensitive: false, offloaded: { ...offloaded, error: e instanceof Error ? e.message : String(e) } };
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
