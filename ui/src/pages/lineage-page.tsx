/**
 * Lineage: datasets and the tasks that write and read them, and the DAGs they trigger, as a graph
 * (@xyflow/react, laid out left → right by elkjs like the DAG graph). `?dag=` narrows it to one
 * DAG's neighbourhood. Click a task → its DAG's graph; a DAG → the DAG; a dataset → Datasets.
 */
import { memo, useEffect, useMemo, useState } from "react";
import { Background, Controls, Handle, MiniMap, Position, ReactFlow, type Edge, type Node, type NodeProps } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { elkLayout } from "../lib/elk-layout";
import { useLineage, type LineageNode } from "../api/lineage";
import { Icon } from "../design/icons";
import { EmptyState, ErrorState, Skeleton } from "../design/misc";
import { navigate, useSearchParam } from "../router";
import "./lineage-page.css";

const SIZE = { dataset: { w: 220, h: 48 }, task: { w: 200, h: 52 }, dag: { w: 180, h: 44 } } as const;

type LineageNodeData = { node: LineageNode };
type FlowNode = Node<LineageNodeData, "lineage">;

const LineageNodeView = memo(function LineageNodeView({ data }: NodeProps<FlowNode>) {
  const n = data.node;
  const label = n.kind === "dataset" ? n.uri : n.kind === "task" ? `${n.dagId}.${n.taskId}` : n.dagId;
  return (
    <div
      className={`lineage-node lineage-${n.kind}`}
      data-testid={`lineage-node-${n.id}`}
      aria-label={`${n.kind} ${label}`}
      title={n.kind === "dataset" ? `${n.namespace} · ${n.name}` : label}
    >
      <Handle type="target" position={Position.Left} />
      {n.kind === "dataset" && (
        <div className="stack" style={{ gap: 2, minWidth: 0 }}>
          <span className="truncate mono lineage-title">{n.name === "/" ? n.uri : n.name}</span>
          <span className="truncate xs muted">{n.namespace}</span>
        </div>
      )}
      {n.kind === "task" && (
        <div className="stack" style={{ gap: 2, minWidth: 0 }}>
          <span className="truncate mono lineage-title">{n.taskId}</span>
          <span className="truncate xs muted">
            {n.dagId}
            {n.operator ? ` · ${n.operator}` : ""}
          </span>
        </div>
      )}
      {n.kind === "dag" && (
        <div className="stack" style={{ gap: 2, minWidth: 0 }}>
          <span className="truncate mono lineage-title">{n.dagId}</span>
          <span className="xs muted">DAG scheduled on datasets</span>
        </div>
      )}
      <Handle type="source" position={Position.Right} />
    </div>
  );
});

const nodeTypes = { lineage: LineageNodeView };

export function LineagePage() {
  const [search, setSearch] = useSearchParam();
  const dagId = search.get("dag");
  const graph = useLineage(dagId);
  const [layout, setLayout] = useState<Map<string, { x: number; y: number }> | null>(null);
  const [layoutError, setLayoutError] = useState<unknown>(null);
  const data = graph.data;

  const shape = useMemo(() => JSON.stringify(data ? [data.nodes.map((n) => n.id), data.edges.map((e) => [e.source, e.target])] : null), [data]);
  useEffect(() => {
    if (!data) return;
    let cancelled = false;
    setLayout(null);
    elkLayout({
      id: "root",
      layoutOptions: { "elk.algorithm": "layered", "elk.direction": "RIGHT", "elk.layered.spacing.nodeNodeBetweenLayers": "72", "elk.spacing.nodeNode": "20" },
      children: data.nodes.map((n) => ({ id: n.id, width: SIZE[n.kind].w, height: SIZE[n.kind].h })),
      edges: data.edges.map((e, i) => ({ id: `e${i}`, sources: [e.source], targets: [e.target] })),
    })
      .then((g) => !cancelled && setLayout(new Map((g.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }]))))
      .catch((e: unknown) => !cancelled && setLayoutError(e));
    return () => {
      cancelled = true;
    };
    // Deliberately partial dependency list (react-hooks/exhaustive-deps).
  }, [shape]);

  const nodes: FlowNode[] = useMemo(
    () =>
      (data?.nodes ?? []).map((n) => ({
        id: n.id,
        type: "lineage",
        position: layout?.get(n.id) ?? { x: 0, y: 0 },
        data: { node: n },
        draggable: false,
        connectable: false,
      })),
    [data, layout],
  );
  const edges: Edge[] = useMemo(
    () =>
      (data?.edges ?? []).map((e, i) => ({
        id: `e${i}`,
        source: e.source,
        target: e.target,
        label: e.kind === "triggers" ? "triggers" : undefined,
        className: `lineage-edge-${e.kind}`,
        animated: e.kind === "triggers",
      })),
    [data],
  );
  const dagIds = useMemo(() => [...new Set((data?.nodes ?? []).flatMap((n) => (n.kind === "dataset" ? [] : [n.dagId])))].sort(), [data]);

  const open = (n: LineageNode) => {
    if (n.kind === "task") navigate(`/dags/${encodeURIComponent(n.dagId)}/graph`);
    else if (n.kind === "dag") navigate(`/dags/${encodeURIComponent(n.dagId)}`);
    else navigate(`/datasets?uri=${encodeURIComponent(n.uri)}`);
  };

  return (
    <>
      <h1>Lineage</h1>
      <div className="card">
        <div className="card-head toolbar">
          <label className="row small" style={{ gap: 8 }}>
            DAG
            <select
              className="select"
              style={{ width: "auto" }}
              value={dagId ?? ""}
              onChange={(e) => setSearch({ dag: e.target.value === "" ? null : e.target.value })}
              data-testid="lineage-dag-filter"
            >
              <option value="">All DAGs</option>
              {[...new Set([...(dagId ? [dagId] : []), ...dagIds])].map((d) => (
                <option key={d} value={d}>
                  {d}
                </option>
              ))}
            </select>
          </label>
          <span className="spacer" />
          <span className="xs muted">Datasets from tasks' inlets/outlets, dataset schedules and built-in operators (SQL tables, objects, topics)</span>
        </div>
        {graph.isPending ? (
          <Skeleton height={420} />
        ) : graph.isError ? (
          <ErrorState error={graph.error} onRetry={() => void graph.refetch()} />
        ) : layoutError ? (
          <ErrorState error={layoutError} title="Could not lay out the graph" />
        ) : data!.nodes.length === 0 ? (
          <EmptyState icon={<Icon.file size={22} />} title="No lineage yet">
            <p className="small">
              Give tasks <code>inlets</code> and <code>outlets</code>, or use the SQL, object-storage and messaging operators: what they read and write shows
              here.
            </p>
          </EmptyState>
        ) : (
          <div className="flow-wrap" data-testid="lineage-graph">
            {!layout ? (
              <Skeleton height="100%" />
            ) : (
              <ReactFlow
                nodes={nodes}
                edges={edges}
                nodeTypes={nodeTypes}
                fitView={nodes.length <= 80}
                fitViewOptions={{ padding: 0.15, maxZoom: 1.2 }}
                defaultViewport={{ x: 24, y: 24, zoom: 0.8 }}
                minZoom={0.1}
                nodesDraggable={false}
                nodesConnectable={false}
                proOptions={{ hideAttribution: true }}
                onNodeClick={(_, n) => open((n.data as LineageNodeData).node)}
                colorMode={
                  document.documentElement.dataset.theme === "dark" ||
                  (!document.documentElement.dataset.theme && matchMedia("(prefers-color-scheme: dark)").matches)
                    ? "dark"
                    : "light"
                }
              >
                <Background gap={20} size={1} />
                <Controls showInteractive={false} />
                {nodes.length > 40 && <MiniMap pannable zoomable />}
              </ReactFlow>
            )}
          </div>
        )}
      </div>
    </>
  );
}
