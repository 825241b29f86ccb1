import { isFinished } from "../model/states.js";
import { runOutcome } from "../scheduling/run-outcome.js";
import type { Explanation, ExplainReason, RunFacts } from "./explain-types.js";
import { queuedRunReasons, runFinishedReason } from "./explain-run-state.js";
import { pastReason, taskReasons, versionMissing } from "./explain-task.js";
import { runViews } from "./run-views.js";
import { noSchedulerReason, withoutTick } from "./scheduler-liveness.js";
import { listOf } from "./when.js";

/**
 * Why a run is not running, or what in it is not: a queued run's reasons (paused, not due, max
 * active runs, queued behind others); a running run's waiting tasks, one `task_waiting` reason
 * each with the task's own reasons in `facts.reasons`, and `deadlocked` when no task can ever
 * make progress; a finished run's final state and why; and no scheduler alive.
 *
 * @example explainRun(facts).reasons.map((r) => r.code) // ["max_active_runs"]
 */
export function explainRun(f: RunFacts): Explanation {
  const { run } = f;
  const reasons: ExplainReason[] = [];
  let running = false;
  if (run.state === "queued") reasons.push(...queuedRunReasons(f));
  else if (run.state === "success" || run.state === "failed") reasons.push(runFinishedReason(f));
  else {
    running = f.taskInstances.some((t) => t.state === "running" && (t.mapIndex >= 0 || !f.taskInstances.some((c) => c.taskId === t.taskId && c.mapIndex >= 0)));
    if (!f.version) reasons.push(versionMissing(f));
    else {
      const rv = runViews(f.version.spec, f.taskInstances);
      // Upstreams first; a task left out of the order (a cycle in a stored spec) still counts.
      const order = [...new Set([...rv.graph.topoOrder, ...rv.graph.tasks.keys()])];
      for (const taskId of order) {
        const ti = f.taskInstances.find((t) => t.taskId === taskId && t.mapIndex < 0);
        if (!ti || isFinished(ti.state) || (ti.state === "running" && !f.taskInstances.some((c) => c.taskId === taskId && c.mapIndex >= 0))) continue;
        const own = taskReasons(f, ti, rv);
        if (own.length === 0) continue;
        reasons.push({
          code: "task_waiting",
          message: own.map((r) => r.message).join(" "),
          facts: { taskId, mapIndex: ti.mapIndex, state: ti.state, reasons: own },
        });
      }
      const active = f.taskInstances.some((t) => ["queued", "running", "up_for_retry", "up_for_reschedule", "deferred"].includes(t.state));
      const blocked = new Set(order.filter((id) => rv.graph.tasks.get(id)?.dependsOnPast && pastReason(f, id, id, rv.graph) !== null));
      if (!active && runOutcome(rv.graph, rv.views, blocked) === "deadlocked") {
        const stuck = order.filter((id) => !isFinished(rv.views.get(id)?.state ?? "none"));
        reasons.push({
          code: "deadlocked",
          message: `The run is deadlocked: no task is active and none of ${listOf(stuck.map((t) => `"${t}"`))} can ever start under its trigger rule. The scheduler fails such a run; clear the upstream tasks to run them again.`,
          facts: { tasks: stuck },
        });
      }
    }
  }
  if (run.state === "queued" || run.state === "running") {
    const noScheduler = noSchedulerReason(f.schedulers, f.now);
    if (noScheduler) return { state: run.state, running, reasons: [...withoutTick(reasons), noScheduler] };
  }
  return { state: run.state, running, reasons };
}
