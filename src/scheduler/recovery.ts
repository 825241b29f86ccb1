import type { ActiveRun } from "./active-run.js";
import type { StateWriter } from "./state-writer.js";
import { retryDelayMs } from "../core/retry/retry-delay.js";

const LOST = "the attempt was interrupted: Baton stopped while it was running (process lost); see the log";

/**
 * Brings a run left "running" by a stopped or crashed scheduler back to a consistent state:
 * attempts handed out but never started are returned (no try consumed); attempts that were
 * running count as failed and are retried by the task's policy; decided-but-not-dispatched
 * tasks are decided again. Copies of a mapped task are not decided (they exist once their task
 * was expanded): a returned copy is ready again ("scheduled"); the mapped task itself stays
 * "running" until its copies end. Returns the retries to schedule, by task-instance key.
 */
export function recoverRun(run: ActiveRun, now: number, w: StateWriter): { taskId: string; delayMs: number }[] {
  const retries: { taskId: string; delayMs: number }[] = [];
  for (const [key, ti] of [...run.tis]) {
    const copy = ti.mapIndex >= 0;
    if (!copy && ti.state === "running" && run.graph.tasks.get(ti.taskId)?.map) continue;
    if (ti.state === "queued") {
      w.task(run, key, { state: copy ? "scheduled" : "none", tryNumber: Math.max(0, ti.tryNumber - 1), queuedAt: null }, now);
    } else if (ti.state === "scheduled") {
      if (!copy) w.task(run, key, { state: "none" }, now);
    } else if (ti.state === "running") {
      const task = run.graph.tasks.get(ti.taskId)!;
      const row = { runPk: run.pk, taskId: ti.taskId, mapIndex: ti.mapIndex, tryNumber: ti.tryNumber, state: "failed" as const, startedAt: ti.startedAt, endedAt: now, error: LOST, logPath: null, pid: null };
      w.attempt(run.run, row, "running", now);
      if (ti.tryNumber < ti.maxTries) {
        const delayMs = retryDelayMs(task, ti.tryNumber, `${run.dagId}#${key}#${run.run.logicalDate ?? run.run.runId}`);
        w.task(run, key, { state: "up_for_retry", error: LOST, endedAt: now, nextRetryAt: now + delayMs }, now);
        retries.push({ taskId: key, delayMs });
      } else {
        w.task(run, key, { state: "failed", error: LOST, endedAt: now }, now);
      }
    } else if (ti.state === "up_for_retry") {
      retries.push({ taskId: key, delayMs: Math.max(0, (ti.nextRetryAt ?? now) - now) });
    }
  }
  return retries;
}
