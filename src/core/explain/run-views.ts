import { buildGraph, type DagGraph } from "../graph/dag-graph.js";
import type { DagSpec } from "../model/dag-spec.js";
import type { TaskInstanceRecord } from "../model/records.js";
import type { TaskView } from "../scheduling/decide-tasks.js";

/** The run as the scheduler's decisions see it: the graph and each task's own instance (map index -1). */
export interface RunViews {
  graph: DagGraph;
  views: Map<string, TaskView>;
}

const graphs = new WeakMap<DagSpec, DagGraph>();

export function runViews(spec: DagSpec, tis: readonly TaskInstanceRecord[]): RunViews {
  let graph = graphs.get(spec);
  if (!graph) graphs.set(spec, (graph = buildGraph(spec)));
  const views = new Map<string, TaskView>();
  for (const ti of tis) if (ti.mapIndex < 0) views.set(ti.taskId, { state: ti.state, followed: ti.followed });
  return { graph, views };
}
