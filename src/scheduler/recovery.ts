import type { ActiveRun } from "./active-run.js";
import type { StateWriter } from "./state-writer.js";
import { retryDelayMs } from "../core/retry/retry-delay.js";

const LOST = "the attempt was interrupted: Baton stopped while it was running (process lost); see the log";
/** An attempt handed to a worker whose start was not yet durable when its scheduler was lost. */
export const HANDED_OUT_LOST = "interrupted: its scheduler was lost";

/**
 * Brings a run left "running" by a stopped, crashed or fenced scheduler back to a consistent
 * state. An attempt interrupted that way is an infrastructure failure: it is recorded as a failed
 * attempt, and the task instance is retried with a new try number and `infraTries` one higher,
 * so it uses none of the task's retries (docs/retries.md):
 * - handed out but not started (the worker may have run user code, so that try is never run
 *   again): retried at once;
 * - running: retried after the task's retry delay.
 * Decided-but-not-dispatched tasks are decided again. Copies of a mapped task are not decided
 * (they exist once their task was expanded); the mapped task itself stays "running" until its
 * copies end. Returns the retries to schedule, by task-instance key.
 */
export function recoverRun(run: ActiveRun, now: number, w: StateWriter): { taskId: string; delayMs: number }[] {
  const retries: { taskId: string; delayMs: number }[] = [];
  for (const [key, ti] of [...run.tis]) {
    const copy = ti.mapIndex >= 0;
    if (!copy && ti.state === "running" && run.graph.tasks.get(ti.taskId)?.map) continue;
    if (ti.state === "queued" || ti.state === "running") {
      const task = run.graph.tasks.get(ti.taskId)!;
      const error = ti.state === "queued" ? HANDED_OUT_LOST : LOST;
      const row = {
        runPk: run.pk,
        taskId: ti.taskId,
        mapIndex: ti.mapIndex,
        tryNumber: ti.tryNumber,
        state: "failed" as const,
        startedAt: ti.startedAt,
        endedAt: now,
        error,
        logPath: null,
        pid: null,
        worker: null,
      };
      w.attempt(run.run, row, ti.state === "queued" ? null : "running", now);
      const counted = ti.tryNumber - (ti.infraTries ?? 0);
      const delayMs = ti.state === "queued" ? 0 : retryDelayMs(task, counted, `${run.dagId}#${key}#${run.run.logicalDate ?? run.run.runId}`);
      w.task(run, key, { state: "up_for_retry", error, endedAt: now, nextRetryAt: now + delayMs, infraTries: (ti.infraTries ?? 0) + 1 }, now);
      retries.push({ taskId: key, delayMs });
    } else if (ti.state === "scheduled") {
      if (!copy) w.task(run, key, { state: "none" }, now);
    } else if (ti.state === "up_for_retry") {
      retries.push({ taskId: key, delayMs: Math.max(0, (ti.nextRetryAt ?? now) - now) });
    }
  }
  return retries;
}
