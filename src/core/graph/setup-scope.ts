import type { DagGraph } from "./dag-graph.js";

/**
 * Tasks to clear with `ids` (Airflow: clearing a task clears its setups and their teardowns, so
 * the resource it needs is made again and removed again): each task's setups (direct upstream
 * setups and the setups whose scope it is in), each of those setups' teardowns, and the teardowns
 * of cleared setups. Returns `ids` itself when the DAG has no setups.
 *
 * @example withSetupsAndTeardowns(graph, new Set(["run_query"])) // Set { "run_query", "create_cluster", "delete_cluster" }
 */
export function withSetupsAndTeardowns(graph: DagGraph, ids: ReadonlySet<string>): Set<string> {
  const out = new Set(ids);
  if (graph.setupsOf.size === 0 && graph.indirectSetups.size === 0 && ![...graph.tasks.values()].some((t) => t.setup)) return out;
  const setups = new Set<string>();
  for (const id of ids) {
    if (graph.tasks.get(id)?.setup) setups.add(id);
    for (const u of graph.upstream.get(id) ?? []) if (graph.tasks.get(u)?.setup) setups.add(u);
    for (const s of graph.indirectSetups.get(id) ?? []) setups.add(s);
  }
  for (const s of setups) {
    out.add(s);
    for (const d of graph.downstream.get(s) ?? []) if (graph.tasks.get(d)?.teardown) out.add(d);
  }
  return out;
}
