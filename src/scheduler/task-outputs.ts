import { BatonError } from "../core/errors.js";
import { isSealedOutput, sealContext, type OutputSealer } from "../core/ports/output-sealer.js";
import { isOffloadedOutput, parseValueRef, valueUrl, type ValueStore } from "../core/ports/value-store.js";
import type { AttemptReport } from "../core/ports/executor.js";
import type { TaskInstanceRecord } from "../core/model/records.js";
import { tiKey, type ActiveRun } from "./active-run.js";

/**
 * A sealed value could not be opened (the key is not the one it was sealed with, or the row was
 * altered): the task that needs it fails, not the scheduler.
 */
export class UnreadableOutputError extends BatonError {}

const where = (ti: TaskInstanceRecord) => (ti.mapIndex < 0 ? `task "${ti.taskId}"` : `copy ${ti.mapIndex} of task "${ti.taskId}"`);

/** What a sensitive value becomes when no sealer was given (embedders, benchmarks): `"***"`. */
const MASKED = JSON.stringify("***");

/**
 * Task instances' return values as the scheduler stores and reads them. A sensitive value (the
 * task's `sensitive` option) is sealed when recorded and opened only to hand it to downstream
 * tasks; everything else is stored as the JSON text the attempt reported. Without a sealer a
 * sensitive value is stored as `"***"`, so downstream tasks receive `"***"`.
 */
export class TaskOutputs {
  constructor(
    private readonly sealer: OutputSealer | null,
    /** Where offloaded values live (for messages); null when values are not offloaded. */
    private readonly values: Pick<ValueStore, "url"> | null = null,
  ) {}

  /** The report as it is recorded: a sensitive output sealed, or a failure when it cannot be. */
  sealReport(run: ActiveRun, ti: { taskId: string; mapIndex: number }, report: AttemptReport): AttemptReport {
    const o = report.outcome;
    if (o.kind !== "success" || o.sensitive !== true || o.output === null) return report;
    if (this.sealer === null) return { ...report, outcome: { ...o, output: MASKED } };
    try {
      return { ...report, outcome: { ...o, output: this.sealer.seal(o.output, this.#context(run, ti.taskId, ti.mapIndex)) } };
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      return { ...report, outcome: { kind: "failed", error: `cannot store the sensitive return value: ${why}`, retryable: false } };
    }
  }

  /**
   * The value of task instance `taskId` (a copy when `mapIndex` ≥ 0), JSON-decoded; undefined
   * when it has none. Throws {@link UnreadableOutputError} when it is sealed and cannot be opened.
   */
  value(run: ActiveRun, taskId: string, mapIndex = -1): unknown {
    const text = this.#text(run, run.tis.get(tiKey(taskId, mapIndex)));
    return text === null ? undefined : JSON.parse(text);
  }

  /**
   * A mapped task's value: the JSON list of its successful copies' values in map-index order,
   * leaving out those that returned nothing (null), sealed when any of them was; or why it cannot be built (a copy's sealed value is unreadable).
   */
  combine(run: ActiveRun, taskId: string, copies: readonly TaskInstanceRecord[]): { output: string; error: null } | { output: null; error: string } {
    const done = copies.filter((c) => c.state === "success");
    try {
      // As in Airflow, a copy that returned nothing (null or undefined) adds no element: returning null filters an item out.
      const list = `[${done
        .map((c) => this.#text(run, c))
        .filter((text) => text !== null && text !== "null")
        .join(",")}]`;
      if (!done.some((c) => isSealedOutput(c.output))) return { output: list, error: null };
      return { output: this.sealer === null ? MASKED : this.sealer.seal(list, this.#context(run, taskId, -1)), error: null };
    } catch (e) {
      return { output: null, error: e instanceof Error ? e.message : String(e) };
    }
  }

  #text(run: ActiveRun, ti: TaskInstanceRecord | undefined): string | null {
    const output = ti?.output ?? null;
    if (isOffloadedOutput(output)) {
      // Offloaded values are read back when the run is loaded (value-offloader.ts): this one could not be.
      const ref = parseValueRef(output);
      throw new UnreadableOutputError(
        `cannot read the return value of ${where(ti!)}: it is offloaded to ${valueUrl(this.values, ref)} (${ref.bytes} bytes, sha256 ${ref.sha256}), which could not be read when the run was loaded; restore the object, then clear this task`,
      );
    }
    if (!isSealedOutput(output)) return output;
    if (this.sealer === null) return MASKED;
    try {
      return this.sealer.open(output, this.#context(run, ti!.taskId, ti!.mapIndex));
    } catch (e) {
      throw new UnreadableOutputError(`cannot read the sensitive return value of ${where(ti!)}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  #context(run: ActiveRun, taskId: string, mapIndex: number): string {
    return sealContext(run.dagId, run.run.runId, taskId, mapIndex);
  }
}
