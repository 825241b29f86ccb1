/**
 * The lineage graph (docs/lineage.md): GET /api/v1/lineage[?dagId=].
 * Types written by hand: the generated ./schema.d.ts flattens the node kinds into one object
 * with optional fields; this union is what the API returns (src/lineage/lineage-graph.ts).
 */
import { useQuery } from "@tanstack/react-query";
import { api, qs } from "./client";

export type LineageNode =
  | { id: string; kind: "dataset"; uri: string; namespace: string; name: string }
  | { id: string; kind: "task"; dagId: string; taskId: string; operator: string | null }
  | { id: string; kind: "dag"; dagId: string };

export interface LineageEdge {
  source: string;
  target: string;
  /** task → dataset: writes; dataset → task: reads; dataset → DAG: triggers. */
  kind: "writes" | "reads" | "triggers";
}

export interface LineageGraph {
  nodes: LineageNode[];
  edges: LineageEdge[];
}

export function useLineage(dagId: string | null) {
  return useQuery({
    queryKey: ["lineage", dagId],
    queryFn: ({ signal }) => api.get<LineageGraph>(`/lineage${qs({ dagId })}`, signal),
    refetchInterval: 30_000,
  });
}
