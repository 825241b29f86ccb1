import type { DagGraph } from "../graph/dag-graph.js";

const topoIndexes = new WeakMap<DagGraph, Map<string, number>>();

function topoIndex(graph: DagGraph): Map<string, number> {
  let index = topoIndexes.get(graph);
  if (!index) {
    index = new Map(graph.topoOrder.map((id, i) => [id, i]));
    topoIndexes.set(graph, index);
  }
  return index;
}

/**
 * The direct downstreams of a succeeded branch task that are NOT skipped: the ones it chose
 * (`followed`) plus any direct downstream reachable from a chosen task (Airflow: a join wired
 * to both the branch and a chosen task is followed too). The search only walks tasks that come
 * before the farthest candidate in topological order, so it stays within the branch's region.
 */
export function followedDownstream(graph: DagGraph, branchId: string, followed: readonly string[]): Set<string> {
  const kept = new Set(followed);
  const index = topoIndex(graph);
  const others = (graph.downstream.get(branchId) ?? []).filter((d) => !kept.has(d));
  if (others.length === 0 || kept.size === 0) return kept;
  const wanted = new Set(others);
  const limit = Math.max(...others.map((d) => index.get(d) ?? Infinity));
  const seen = new Set<string>();
  const stack = followed.filter((f) => graph.tasks.has(f));
  while (stack.length > 0 && wanted.size > 0) {
    const id = stack.pop()!;
    for (const d of graph.downstream.get(id) ?? []) {
      if (seen.has(d) || (index.get(d) ?? Infinity) > limit) continue;
      seen.add(d);
      if (wanted.delete(d)) kept.add(d);
      stack.push(d);
    }
  }
  return kept;
}
