import type { TaskInstanceRecord } from "../core/model/records.js";
import type { TaskState } from "../core/model/states.js";
import type { AttemptReport } from "../core/ports/executor.js";
import { countedTries, mayRetry } from "../core/retry/may-retry.js";
import { retryDelayMs } from "../core/retry/retry-delay.js";
import type { ActiveRun } from "./active-run.js";
import type { StateWriter } from "./state-writer.js";
import { applyInfraFailure } from "./infra-outcome.js";
import { applySensorWait, isSensorWait } from "./sensor-outcome.js";

export interface OutcomeResult {
  ti: TaskInstanceRecord;
  /** What the attempt history records for this try. */
  attemptState: TaskState;
}

/**
 * Records how an attempt ended: success (with its return value and, for branches, the chosen
 * tasks), skipped, or failed — retried later when the error is retryable and tries remain
 * (core/retry/may-retry.ts). An infrastructure failure does not count against the retries (see
 * infra-outcome.ts).
 */
export function applyOutcome(w: StateWriter, run: ActiveRun, key: string, report: AttemptReport, now: number): OutcomeResult {
  const ti = run.tis.get(key)!;
  const taskId = ti.taskId;
  const task = run.graph.tasks.get(taskId)!;
  const o = report.outcome;
  if (o.kind === "infra_failed") return applyInfraFailure(w, run, key, report, o.error, now);
  run.infraFailures.delete(key);
  if (isSensorWait(o)) return applySensorWait(w, run, key, { ...report, outcome: o }, now);
  const startedAt = report.startedAt;
  const endedAt = report.endedAt;

  if (o.kind === "success") {
    const followed = o.followed ?? null;
    if (task.kind === "branch" && followed) {
      const direct = run.graph.downstream.get(taskId) ?? [];
      const wrong = followed.filter((id) => !direct.includes(id));
      if (wrong.length > 0) {
        const error = `branch task "${taskId}" chose ${wrong.map((id) => `"${id}"`).join(", ")}, which is not a direct downstream task; choose from: ${direct.join(", ") || "(none)"}`;
        return { ti: w.task(run, key, { startedAt, endedAt, state: "failed", error }, now), attemptState: "failed" };
      }
    }
    return {
      ti: w.task(run, key, { startedAt, endedAt, state: "success", output: o.output, followed, error: null, nextRetryAt: null }, now),
      attemptState: "success",
    };
  }
  if (o.kind === "skipped") {
    return { ti: w.task(run, key, { startedAt, endedAt, state: "skipped", error: o.reason || null }, now), attemptState: "skipped" };
  }
  const retryable = o.kind !== "failed" || o.retryable;
  const error = o.error;
  if (retryable && mayRetry(ti)) {
    const jitterKey = `${run.dagId}#${key}#${run.run.logicalDate ?? run.run.runId}`;
    const nextRetryAt = now + retryDelayMs(task, countedTries(ti), jitterKey);
    return { ti: w.task(run, key, { startedAt, endedAt, state: "up_for_retry", error, nextRetryAt }, now), attemptState: "failed" };
  }
  return { ti: w.task(run, key, { startedAt, endedAt, state: "failed", error }, now), attemptState: "failed" };
}
