/**
 * Graph of the DAG's tasks (@xyflow/react), laid out left → right by elkjs (layered). Each node
 * shows the task's state in the selected run: colour, glyph and label. Click a node → grid panel.
 */
import { memo, useEffect, useMemo, useState } from "react";
import { Background, Controls, Handle, MiniMap, Position, ReactFlow, type Edge, type Node, type NodeProps } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import { elkLayout } from "../../lib/elk-layout";
import { useTaskInstances } from "../../api/queries";
import type { DagDetail } from "../../api/types";
import { ErrorState, Skeleton } from "../../design/misc";
import { StateGlyph, stateLabel, stateVars } from "../../design/state";
import { navigate } from "../../router";
import { RunPicker, useSelectedRun } from "./run-picker";

const NODE_W = 200;
const NODE_H = 52;

type TaskNodeData = { taskId: string; kind: string; state: string | null; tryNumber: number; copies: number | null };
type TaskNode = Node<TaskNodeData, "task">;

const TaskNodeView = memo(function TaskNodeView({ data }: NodeProps<TaskNode>) {
  const state = data.state ?? "none";
  return (
    <div
      className="flow-node"
      style={stateVars(state)}
      data-state={state}
      data-testid={`graph-node-${data.taskId}`}
      aria-label={`${data.taskId}: ${stateLabel(state)}`}
    >
      <Handle type="target" position={Position.Left} />
      <span className="flow-node-stripe" />
      <div className="stack" style={{ gap: 2, minWidth: 0, flex: 1 }}>
        <span className="truncate mono flow-node-id" title={data.taskId}>
          {data.taskId}
        </span>
        <span className="row xs" style={{ gap: 6 }}>
          <span className="state-icon">
            <StateGlyph state={state} size={9} />
          </span>
          <span className="flow-node-state">{data.state ? stateLabel(state) : "No run selected"}</span>
          <span className="muted">· {data.copies !== null ? `mapped${data.copies > 0 ? ` ×${data.copies}` : ""}` : data.kind}</span>
        </span>
      </div>
      <Handle type="source" position={Position.Right} />
    </div>
  );
});

const nodeTypes = { task: TaskNodeView };

export default function GraphTab({ dagId, dag }: { dagId: string; dag: DagDetail | undefined }) {
  const { runId } = useSelectedRun(dagId);
  const tis = useTaskInstances(dagId, runId);
  const [layout, setLayout] = useState<Map<string, { x: number; y: number }> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const tasks = dag?.tasks;

  const shape = useMemo(() => JSON.stringify(tasks?.map((t) => [t.taskId, t.upstream]) ?? []), [tasks]);
  useEffect(() => {
    if (!tasks) return;
    let cancelled = false;
    const ids = new Set(tasks.map((t) => t.taskId));
    elkLayout({
      id: "root",
      layoutOptions: {
        "elk.algorithm": "layered",
        "elk.direction": "RIGHT",
        "elk.layered.spacing.nodeNodeBetweenLayers": "64",
        "elk.spacing.nodeNode": "22",
        "elk.layered.nodePlacement.strategy": "BRANDES_KOEPF",
      },
      children: tasks.map((t) => ({ id: t.taskId, width: NODE_W, height: NODE_H })),
      edges: tasks.flatMap((t) => t.upstream.filter((u) => ids.has(u)).map((u) => ({ id: `${u}->${t.taskId}`, sources: [u], targets: [t.taskId] }))),
    })
      .then((g) => {
        if (cancelled) return;
        setLayout(new Map((g.children ?? []).map((c) => [c.id, { x: c.x ?? 0, y: c.y ?? 0 }])));
      })
      .catch((e: unknown) => !cancelled && setError(e));
    return () => {
      cancelled = true;
    };
    // Deliberately partial dependency list (react-hooks/exhaustive-deps).
  }, [shape]);

  // The task's own instance (map index -1) carries its state; copies of a mapped task are counted.
  const byTask = useMemo(() => new Map((tis.data ?? []).filter((t) => t.mapIndex < 0).map((t) => [t.taskId, t])), [tis.data]);
  const copyCount = useMemo(() => {
    const n = new Map<string, number>();
    for (const t of tis.data ?? []) if (t.mapIndex >= 0 && t.state !== "removed") n.set(t.taskId, (n.get(t.taskId) ?? 0) + 1);
    return n;
  }, [tis.data]);
  const nodes: TaskNode[] = useMemo(
    () =>
      (tasks ?? []).map((t) => {
        const ti = byTask.get(t.taskId);
        return {
          id: t.taskId,
          type: "task",
          position: layout?.get(t.taskId) ?? { x: 0, y: 0 },
          data: {
            taskId: t.taskId,
            kind: t.kind,
            state: runId ? (ti?.state ?? "none") : null,
            tryNumber: ti?.tryNumber ?? 0,
            copies: t.mapped ? (copyCount.get(t.taskId) ?? 0) : null,
          },
          draggable: false,
          connectable: false,
        };
      }),
    [tasks, layout, byTask, copyCount, runId],
  );
  const edges: Edge[] = useMemo(() => {
    const ids = new Set((tasks ?? []).map((t) => t.taskId));
    return (tasks ?? []).flatMap((t) =>
      t.upstream
        .filter((u) => ids.has(u))
        .map((u) => ({ id: `${u}->${t.taskId}`, source: u, target: t.taskId, animated: byTask.get(t.taskId)?.state === "running" })),
    );
  }, [tasks, byTask]);

  if (error)
    return (
      <div className="card">
        <ErrorState error={error} title="Could not lay out the graph" />
      </div>
    );
  return (
    <div className="card">
      <div className="card-head toolbar">
        <RunPicker dagId={dagId} />
        <span className="spacer" />
        <span className="xs muted">Click a task to open it in the grid</span>
      </div>
      <div className="flow-wrap" data-testid="graph">
        {!layout || !tasks ? (
          <Skeleton height="100%" />
        ) : (
          <ReactFlow
            nodes={nodes}
            edges={edges}
            nodeTypes={nodeTypes}
            fitView={tasks.length <= 60}
            fitViewOptions={{ padding: 0.15, maxZoom: 1.2 }}
            defaultViewport={{ x: 24, y: 24, zoom: 0.8 }}
            minZoom={0.1}
            nodesDraggable={false}
            nodesConnectable={false}
            proOptions={{ hideAttribution: true }}
            onNodeClick={(_, n) =>
              runId && navigate(`/dags/${encodeURIComponent(dagId)}/grid?run=${encodeURIComponent(runId)}&task=${encodeURIComponent(n.id)}`)
            }
            colorMode={
              document.documentElement.dataset.theme === "dark" ||
              (!document.documentElement.dataset.theme && matchMedia("(prefers-color-scheme: dark)").matches)
                ? "dark"
                : "light"
            }
          >
            <Background gap={20} size={1} />
            <Controls showInteractive={false} />
            {tasks.length > 30 && <MiniMap pannable zoomable nodeColor={(n) => cssVar(`--st-${(n.data as TaskNodeData).state ?? "none"}`) || "#999"} />}
          </ReactFlow>
        )}
      </div>
    </div>
  );
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
