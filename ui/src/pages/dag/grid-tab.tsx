/**
 * The Grid: tasks as rows, runs as columns (newest on the left, older pages appended to the
 * right by "Load older runs"). Both axes are virtualised, so 200 tasks × hundreds of runs
 * render only what is on screen. One roving tab stop; arrow keys move between cells, ↑ from the
 * first row reaches the run header, Enter opens the side panel.
 */
import { memo, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from "react";
import { defaultRangeExtractor, useVirtualizer, type Range } from "@tanstack/react-virtual";
import { useGrid } from "../../api/queries";
import type { GridRun } from "../../api/types";
import { Icon } from "../../design/icons";
import { EmptyState, ErrorState, SkeletonRows } from "../../design/misc";
import { StateGlyph, stateLabel, StateLegend, stateVars } from "../../design/state";
import { fmtDuration, fmtShort } from "../../lib/format";
import { useSearchParam } from "../../router";
import { buildGridModel, runDurationMs } from "./grid-model";
import { RunPanel } from "./run-panel";
import { TaskPanel } from "./task-panel";

const NAME_W = 260;
const COL_W = 26;
const ROW_H = 26;
const HEAD_H = 76;
const BAR_MAX = 48;

export function GridTab({ dagId }: { dagId: string }) {
  const grid = useGrid(dagId, 25);
  const [sp, setSp] = useSearchParam();
  const selRun = sp.get("run");
  const selTask = sp.get("task");
  const model = useMemo(() => buildGridModel(grid.data?.pages), [grid.data]);

  if (grid.isPending) return <div className="card"><SkeletonRows rows={10} height={22} /></div>;
  if (grid.isError) return <div className="card"><ErrorState error={grid.error} onRetry={() => void grid.refetch()} /></div>;
  if (model.tasks.length === 0) return <div className="card"><EmptyState title="This DAG has no tasks">Add tasks in the DAG file; the grid shows one row per task.</EmptyState></div>;

  const close = () => setSp({ run: null, task: null, try: null });
  return (
    <div className="grid-layout">
      <div className="card grid-card">
        <div className="card-head toolbar">
          <span className="small muted">{model.runs.length} run{model.runs.length === 1 ? "" : "s"} × {model.tasks.length} task{model.tasks.length === 1 ? "" : "s"} · newest first</span>
          <span className="spacer" />
          {grid.hasNextPage && (
            <button type="button" className="btn btn-sm" onClick={() => void grid.fetchNextPage()} disabled={grid.isFetchingNextPage} data-testid="grid-load-older">
              {grid.isFetchingNextPage ? "Loading…" : "Load older runs"}
            </button>
          )}
        </div>
        {model.runs.length === 0 ? (
          <EmptyState icon={<Icon.play size={20} />} title="No runs yet">
            <p className="small">Press <strong>Trigger</strong> (or <kbd>t</kbd>) to start a run, or unpause the DAG and wait for its schedule.</p>
          </EmptyState>
        ) : (
          <GridMatrix dagId={dagId} model={model} selRun={selRun} selTask={selTask} onSelect={(run, task) => setSp({ run, task, try: null })} />
        )}
        <div className="grid-legend"><StateLegend /></div>
      </div>
      {selRun && selTask && <TaskPanel key={`${selRun}/${selTask}`} dagId={dagId} runId={selRun} taskId={selTask} onClose={close} />}
      {selRun && !selTask && <RunPanel key={selRun} dagId={dagId} runId={selRun} onClose={close} />}
    </div>
  );
}

interface MatrixProps {
  dagId: string;
  model: ReturnType<typeof buildGridModel>;
  selRun: string | null;
  selTask: string | null;
  onSelect: (runId: string, taskId: string | null) => void;
}

function GridMatrix({ model, selRun, selTask, onSelect }: MatrixProps) {
  const { tasks, runs } = model;
  const scrollRef = useRef<HTMLDivElement>(null);
  // Active cell for the roving tab stop, kept by ids so that new runs arriving on the left do
  // not move it; taskId null is the run header row.
  const [activeIds, setActiveIds] = useState<{ taskId: string | null; runId: string | null }>(() => ({ taskId: selTask, runId: selRun }));
  const taskIndex = useMemo(() => new Map(tasks.map((t, i) => [t.taskId, i])), [tasks]);
  const runIndex = useMemo(() => new Map(runs.map((x, i) => [x.runId, i])), [runs]);
  const r = activeIds.taskId === null ? (activeIds.runId ? -1 : 0) : taskIndex.get(activeIds.taskId) ?? 0;
  const c = activeIds.runId === null ? 0 : runIndex.get(activeIds.runId) ?? 0;
  const activeRef = useRef({ r, c });
  activeRef.current = { r, c };
  const setActive = useCallback((p: { r: number; c: number }) => {
    setActiveIds({ taskId: p.r < 0 ? null : tasks[p.r]?.taskId ?? null, runId: runs[p.c]?.runId ?? null });
  }, [tasks, runs]);

  const withActive = (idx: () => number) => (range: Range) => {
    const out = defaultRangeExtractor(range);
    const a = idx();
    if (a >= 0 && a < range.count && !out.includes(a)) { out.push(a); out.sort((x, y) => x - y); }
    return out;
  };
  const rows = useVirtualizer({ count: tasks.length, getScrollElement: () => scrollRef.current, estimateSize: () => ROW_H, overscan: 8, scrollMargin: HEAD_H, scrollPaddingStart: HEAD_H, rangeExtractor: withActive(() => activeRef.current.r) });
  const cols = useVirtualizer({ horizontal: true, count: runs.length, getScrollElement: () => scrollRef.current, estimateSize: () => COL_W, overscan: 6, scrollMargin: NAME_W, scrollPaddingStart: NAME_W, rangeExtractor: withActive(() => activeRef.current.c) });

  const focusCell = useCallback((nr: number, nc: number) => {
    setActive({ r: nr, c: nc });
    if (nr >= 0) rows.scrollToIndex(nr, { align: "auto" });
    cols.scrollToIndex(nc, { align: "auto" });
    requestAnimationFrame(() => {
      const el = scrollRef.current?.querySelector<HTMLElement>(`[data-r="${nr}"][data-c="${nc}"]`);
      el?.focus({ preventScroll: nr >= 0 });
    });
  }, [rows, cols, setActive]);

  const onKeyDown = (e: KeyboardEvent) => {
    const t = e.target as HTMLElement;
    if (!t.dataset.c) return;
    const pageRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_H) - 3);
    let nr = r, nc = c;
    switch (e.key) {
      case "ArrowUp": nr = Math.max(-1, r - 1); break;
      case "ArrowDown": nr = Math.min(tasks.length - 1, r + 1); break;
      case "ArrowLeft": nc = Math.max(0, c - 1); break;
      case "ArrowRight": nc = Math.min(runs.length - 1, c + 1); break;
      case "Home": if (e.ctrlKey) nr = 0; nc = 0; break;
      case "End": if (e.ctrlKey) nr = tasks.length - 1; nc = runs.length - 1; break;
      case "PageUp": nr = Math.max(0, r - pageRows); break;
      case "PageDown": nr = Math.min(tasks.length - 1, r + pageRows); break;
      default: return;
    }
    e.preventDefault();
    focusCell(nr, nc);
  };

  const onClick = (e: MouseEvent) => {
    const el = (e.target as HTMLElement).closest<HTMLElement>("[data-c]");
    if (!el) return;
    const nr = Number(el.dataset.r), nc = Number(el.dataset.c);
    const run = runs[nc];
    if (!run) return;
    setActive({ r: nr, c: nc });
    onSelect(run.runId, nr >= 0 ? tasks[nr]?.taskId ?? null : null);
  };

  const width = NAME_W + cols.getTotalSize();
  const vRows = rows.getVirtualItems();
  const vCols = cols.getVirtualItems();
  const selCol = selRun ? runs.findIndex((x) => x.runId === selRun) : -1;
  const selRow = selTask ? tasks.findIndex((t) => t.taskId === selTask) : -1;

  return (
    <div
      ref={scrollRef}
      className="grid-scroll"
      role="grid"
      aria-label="Task instances: tasks as rows, runs as columns, newest run first"
      aria-rowcount={tasks.length + 1}
      aria-colcount={runs.length + 1}
      onKeyDown={onKeyDown}
      onClick={onClick}
    >
      <div style={{ width, minWidth: "100%", height: HEAD_H + rows.getTotalSize(), position: "relative" }}>
        <div className="grid-head" role="row" aria-rowindex={1} style={{ width, height: HEAD_H }}>
          <div className="grid-corner" role="columnheader" style={{ width: NAME_W, height: HEAD_H }}>
            <span className="section-title">Task</span>
            <span className="xs muted">Run duration ↑</span>
          </div>
          <div style={{ position: "relative", width: cols.getTotalSize(), height: HEAD_H }}>
            {vCols.map((vc) => {
              const run = runs[vc.index]!;
              return (
                <RunHeader key={run.runId} run={run} index={vc.index} left={vc.start - NAME_W} maxMs={model.maxDurationMs} selected={vc.index === selCol && selRow < 0} tabbable={r === -1 && c === vc.index} />
              );
            })}
          </div>
        </div>
        <div style={{ display: "flex", width }}>
          <div className="grid-names" aria-hidden="true" style={{ width: NAME_W, height: rows.getTotalSize() }}>
            {vRows.map((vr) => {
              const t = tasks[vr.index]!;
              return (
                <div key={t.taskId} className={`grid-name${vr.index === selRow ? " is-sel" : ""}`} style={{ top: vr.start - HEAD_H, height: ROW_H }} title={`${t.taskId} (${t.kind})${t.upstream.length ? ` ← ${t.upstream.join(", ")}` : ""}`}>
                  <span className="truncate mono">{t.taskId}</span>
                  <span className="kind">{t.kind}</span>
                </div>
              );
            })}
          </div>
          <div style={{ position: "relative", width: cols.getTotalSize(), height: rows.getTotalSize() }}>
            {selCol >= 0 && <div className="grid-col-hl" style={{ left: selCol * COL_W, width: COL_W, height: rows.getTotalSize() }} />}
            {selRow >= 0 && <div className="grid-row-hl" style={{ top: selRow * ROW_H, height: ROW_H, width: cols.getTotalSize() }} />}
            {vRows.map((vr) => {
              const task = tasks[vr.index]!;
              return (
                <div key={task.taskId} role="row" aria-rowindex={vr.index + 2} style={{ position: "absolute", top: vr.start - HEAD_H, left: 0, height: ROW_H, width: cols.getTotalSize() }}>
                  {vCols.map((vc) => {
                    const run = runs[vc.index]!;
                    const cell = run.tasks[vr.index];
                    return (
                      <Cell
                        key={run.runId}
                        runId={run.runId}
                        taskId={task.taskId}
                        state={cell?.state ?? "none"}
                        tryNumber={cell?.tryNumber ?? 0}
                        r={vr.index}
                        c={vc.index}
                        left={vc.start - NAME_W}
                        tabbable={r === vr.index && c === vc.index}
                        selected={vr.index === selRow && vc.index === selCol}
                      />
                    );
                  })}
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}

interface CellProps {
  runId: string;
  taskId: string;
  state: string;
  tryNumber: number;
  r: number;
  c: number;
  left: number;
  tabbable: boolean;
  selected: boolean;
}

const Cell = memo(function Cell({ runId, taskId, state, tryNumber, r, c, left, tabbable, selected }: CellProps) {
  const label = `${taskId} in ${runId}: ${stateLabel(state)}${tryNumber > 1 ? `, try ${tryNumber}` : ""}`;
  return (
    <button
      type="button"
      role="gridcell"
      aria-colindex={c + 2}
      aria-selected={selected}
      aria-label={label}
      title={label}
      className="cell"
      style={{ left, ...stateVars(state) }}
      tabIndex={tabbable ? 0 : -1}
      data-r={r}
      data-c={c}
      data-state={state}
      data-testid={`grid-cell-${runId}-${taskId}`}
    >
      {state !== "none" && <StateGlyph state={state} size={10} />}
    </button>
  );
});

const RunHeader = memo(function RunHeader({ run, index, left, maxMs, selected, tabbable }: { run: GridRun; index: number; left: number; maxMs: number; selected: boolean; tabbable: boolean }) {
  const ms = runDurationMs(run);
  const h = ms === null || maxMs <= 0 ? 3 : Math.max(3, Math.round((ms / maxMs) * BAR_MAX));
  const label = `Run ${run.runId} (${run.runType}): ${stateLabel(run.state)}, ${run.logicalDate ? fmtShort(run.logicalDate) : "no logical date"}, ${fmtDuration(ms)}`;
  return (
    <button
      type="button"
      className={`run-head${selected ? " is-sel" : ""}`}
      role="columnheader"
      aria-label={label}
      title={label}
      style={{ left, width: COL_W, height: HEAD_H, ...stateVars(run.state) }}
      tabIndex={tabbable ? 0 : -1}
      data-r={-1}
      data-c={index}
      data-state={run.state}
      data-testid={`grid-run-${run.runId}`}
    >
      <span className="run-bar" style={{ height: h }} />
      <span className="state-icon"><StateGlyph state={run.state} size={9} /></span>
    </button>
  );
});

export function useNow(intervalMs: number, active: boolean): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs, active]);
  return now;
}
