import type { ActiveRun } from "./active-run.js";
import type { UnitOfWork } from "./unit-of-work.js";
import { retryDelayMs } from "../core/retry/retry-delay.js";

const LOST = "the attempt was interrupted: Baton stopped while it was running (process lost); see the log";

/**
 * Brings a run left "running" by a stopped or crashed scheduler back to a consistent state:
 * attempts handed out but never started are returned (no try consumed); attempts that were
 * running count as failed and are retried by the task's policy; decided-but-not-dispatched
 * tasks are decided again. Returns the retries to schedule.
 */
export function recoverRun(run: ActiveRun, now: number, uow: UnitOfWork): { taskId: string; delayMs: number }[] {
  const retries: { taskId: string; delayMs: number }[] = [];
  for (const ti of [...run.tis.values()]) {
    if (ti.state === "queued") {
      uow.taskInstance(run.update(ti.taskId, { state: "none", tryNumber: Math.max(0, ti.tryNumber - 1), queuedAt: null }, now));
    } else if (ti.state === "scheduled") {
      uow.taskInstance(run.update(ti.taskId, { state: "none" }, now));
    } else if (ti.state === "running") {
      const task = run.graph.tasks.get(ti.taskId)!;
      uow.attempt({
        runPk: run.pk, taskId: ti.taskId, mapIndex: ti.mapIndex, tryNumber: ti.tryNumber, state: "failed",
        startedAt: ti.startedAt, endedAt: now, error: LOST, logPath: null, pid: null,
      });
      if (ti.tryNumber < ti.maxTries) {
        const delayMs = retryDelayMs(task, ti.tryNumber, `${run.dagId}#${ti.taskId}#${run.run.logicalDate ?? run.run.runId}`);
        uow.taskInstance(run.update(ti.taskId, { state: "up_for_retry", error: LOST, endedAt: now, nextRetryAt: now + delayMs }, now));
        retries.push({ taskId: ti.taskId, delayMs });
      } else {
        uow.taskInstance(run.update(ti.taskId, { state: "failed", error: LOST, endedAt: now }, now));
      }
    } else if (ti.state === "up_for_retry") {
      retries.push({ taskId: ti.taskId, delayMs: Math.max(0, (ti.nextRetryAt ?? now) - now) });
    }
  }
  return retries;
}
