import type { DagGraph } from "../graph/dag-graph.js";
import { isFinished } from "../model/states.js";
import { decideTasks, type TaskView } from "./decide-tasks.js";

export type RunOutcome = "running" | "success" | "failed" | "deadlocked";

/**
 * Airflow A1: no unfinished task → failed if any LEAF is failed/upstream_failed, else success
 * (teardowns are not leaves for this unless they set `failRun`: `graph.runStateLeaves`)
 * (so a leaf with trigger rule all_done that succeeds makes the run succeed even after a failure
 * upstream). Unfinished tasks but none active (scheduled/queued/running/up_for_retry) and none
 * decidable and none in `blocked` (waiting on something outside the run, e.g. depends_on_past)
 * → deadlocked. Else running. Tasks missing from `states` count as "none".
 *
 * @example runOutcome(graph, states) // "running"
 */
export function runOutcome(graph: DagGraph, states: ReadonlyMap<string, TaskView>, blocked?: ReadonlySet<string>): RunOutcome {
  const waiting: string[] = [];
  for (const id of graph.tasks.keys()) {
    const state = states.get(id)?.state ?? "none";
    if (isFinished(state)) continue;
    if (state !== "none" || blocked?.has(id)) return "running";
    waiting.push(id);
  }
  if (waiting.length === 0) {
    const failedLeaf = graph.runStateLeaves.some((id) => {
      const state = states.get(id)?.state;
      return state === "failed" || state === "upstream_failed";
    });
    return failedLeaf ? "failed" : "success";
  }
  return decideTasks(graph, states, waiting).size > 0 ? "running" : "deadlocked";
}
