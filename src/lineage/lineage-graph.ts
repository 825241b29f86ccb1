import type { DagSpec, TaskSpec } from "../core/model/dag-spec.js";
import { datasetFromUri } from "./dataset-naming.js";
import { sqlTables } from "./sql-tables.js";

export type LineageNode =
  /** A dataset: declared (inlets, outlets, dataset schedules) by its URI, or touched by a built-in operator. */
  | { id: string; kind: "dataset"; uri: string; namespace: string; name: string }
  | { id: string; kind: "task"; dagId: string; taskId: string; operator: string | null }
  /** A DAG scheduled on datasets. */
  | { id: string; kind: "dag"; dagId: string };

export interface LineageEdge {
  source: string;
  target: string;
  /** task → dataset: writes; dataset → task: reads; dataset → DAG: triggers (its schedule). */
  kind: "writes" | "reads" | "triggers";
}

export interface LineageGraph {
  nodes: LineageNode[];
  edges: LineageEdge[];
}

/**
 * The static lineage of DAG specs: datasets, the tasks that write and read them, and the DAGs
 * they trigger. Operators' datasets are named as written in the spec (templates unrendered; SQL
 * tables as `<conn>/<table>`, topics as `<conn>/<topic>`), since connections are not resolved
 * here. With `dagId`, only that DAG's tasks, their datasets and whatever else touches those.
 * Only tasks and DAGs that touch a dataset appear.
 */
export function lineageGraph(specs: readonly DagSpec[], dagId?: string): LineageGraph {
  const nodes = new Map<string, LineageNode>();
  const edges = new Map<string, LineageEdge>();
  const dataset = (raw: string): string => {
    const uri = raw.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, "$1"); // never a login or password
    const id = `dataset:${uri}`;
    if (!nodes.has(id)) nodes.set(id, { id, kind: "dataset", uri, ...datasetFromUri(uri) });
    return id;
  };
  const edge = (source: string, target: string, kind: LineageEdge["kind"]) => edges.set(`${source}\u0000${target}\u0000${kind}`, { source, target, kind });
  for (const spec of specs) {
    for (const task of spec.tasks) {
      const { reads, writes } = touched(task);
      if (reads.length === 0 && writes.length === 0) continue;
      const id = `task:${spec.dagId}.${task.taskId}`;
      nodes.set(id, { id, kind: "task", dagId: spec.dagId, taskId: task.taskId, operator: task.operator?.operator ?? null });
      for (const uri of reads) edge(dataset(uri), id, "reads");
      for (const uri of writes) edge(id, dataset(uri), "writes");
    }
    if (spec.schedule.kind === "datasets") {
      const id = `dag:${spec.dagId}`;
      nodes.set(id, { id, kind: "dag", dagId: spec.dagId });
      for (const uri of spec.schedule.uris) edge(dataset(uri), id, "triggers");
    }
  }
  const graph = { nodes: [...nodes.values()], edges: [...edges.values()] };
  return dagId === undefined ? graph : around(graph, dagId);
}

/** Dataset URIs a task reads and writes, by its spec. */
function touched(task: TaskSpec): { reads: string[]; writes: string[] } {
  const reads = [...(task.inlets ?? [])];
  const writes = [...(task.outlets ?? [])];
  const op = task.operator;
  if (op) {
    const uri = (t: (typeof op.inputs)[number]) =>
      t.kind === "object" ? t.url : `${t.conn.includes("://") ? t.conn.replace(/\/+$/, "") : `conn://${t.conn}`}/${t.name}`;
    reads.push(...op.inputs.map(uri));
    writes.push(...op.outputs.map(uri));
    if (op.sql) {
      const base = op.sql.conn.includes("://") ? op.sql.conn.replace(/^([a-z0-9+.-]+:\/\/[^/?#]*).*$/i, "$1") : `conn://${op.sql.conn}`;
      const tables = sqlTables(op.sql.statements.join(";\n"));
      reads.push(...tables.inputs.map((t) => `${base}/${t}`));
      writes.push(...tables.outputs.map((t) => `${base}/${t}`));
    }
  }
  return { reads: [...new Set(reads)], writes: [...new Set(writes)] };
}

/** The part of the graph one DAG touches: its tasks (and itself), their datasets, and every node linked to those datasets. */
function around(graph: LineageGraph, dagId: string): LineageGraph {
  const own = new Set(graph.nodes.filter((n) => n.kind !== "dataset" && n.dagId === dagId).map((n) => n.id));
  const datasets = new Set<string>();
  for (const e of graph.edges) {
    if (own.has(e.source)) datasets.add(e.target);
    if (own.has(e.target)) datasets.add(e.source);
  }
  const keep = new Set([...own, ...datasets]);
  const edges = graph.edges.filter((e) => datasets.has(e.source) || datasets.has(e.target));
  for (const e of edges) keep.add(e.source).add(e.target);
  return { nodes: graph.nodes.filter((n) => keep.has(n.id)), edges };
}
