import type { ActiveRun } from "./active-run.js";
import type { UnitOfWork } from "./unit-of-work.js";
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
export function recoverRun(run: ActiveRun, now: number, uow: UnitOfWork): { taskId: string; delayMs: number }[] {
  const retries: { taskId: string; delayMs: number }[] = [];
  for (const [key, ti] of [...run.tis]) {
    const copy = ti.mapIndex >= 0;
    if (!copy && ti.state === "running" && run.graph.tasks.get(ti.taskId)?.map) continue;
    if (ti.state === "queued") {
      uow.taskInstance(run.update(key, { state: copy ? "scheduled" : "none", tryNumber: Math.max(0, ti.tryNumber - 1), queuedAt: null }, now));
    } else if (ti.state === "scheduled") {
      if (!copy) uow.taskInstance(run.update(key, { state: "none" }, now));
    } else if (ti.state === "running") {
      const task = run.graph.tasks.get(ti.taskId)!;
      uow.attempt({
        runPk: run.pk, taskId: ti.taskId, mapIndex: ti.mapIndex, tryNumber: ti.tryNumber, state: "failed",
        startedAt: ti.startedAt, endedAt: now, error: LOST, logPath: null, pid: null,
      });
      if (ti.tryNumber < ti.maxTries) {
        const delayMs = retryDelayMs(task, ti.tryNumber, `${run.dagId}#${key}#${run.run.logicalDate ?? run.run.runId}`);
        uow.taskInstance(run.update(key, { state: "up_for_retry", error: LOST, endedAt: now, nextRetryAt: now + delayMs }, now));
        retries.push({ taskId: key, delayMs });
      } else {
        uow.taskInstance(run.update(key, { state: "failed", error: LOST, endedAt: now }, now));
      }
    } else if (ti.state === "up_for_retry") {
      retries.push({ taskId: key, delayMs: Math.max(0, (ti.nextRetryAt ?? now) - now) });
    }
  }
  return retries;
}
