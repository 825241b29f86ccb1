/**
 * The Grid: tasks as rows, runs as columns (newest on the left, older pages appended to the
 * right by "Load older runs"). Both axes are virtualised, so 200 tasks × hundreds of runs
 * render only what is on screen. One roving tab stop; arrow keys move between cells, ↑ from the
 * first row reaches the run header, Enter opens the side panel (on a group row: expands or
 * collapses the group). The header gives each run's date and a duration bar; tasks sharing an id
 * prefix are gathered in groups (grid-rows.ts) that start collapsed on large DAGs.
 */
import { lazy, memo, Suspense, useCallback, useEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from "react";
import { defaultRangeExtractor, useVirtualizer, type Range } from "@tanstack/react-virtual";
import { useGrid } from "../../api/queries";
import type { GridRun, GridTask } from "../../api/types";
import { Icon } from "../../design/icons";
import { EmptyState, ErrorState, SkeletonRows } from "../../design/misc";
import { StateGlyph, stateLabel, StateLegend, stateVars } from "../../design/state";
import { fmtDuration, fmtShort } from "../../lib/format";
import { useSearchParam } from "../../router";
import type { RunAxis } from "./grid-axis";
import { buildGridModel, runDurationMs } from "./grid-model";
import { aggregateCell, buildRows, COLLAPSE_ABOVE, groupKey, taskGroups, type GridRow } from "./grid-rows";
import { Cell, GroupCellView } from "./grid-cells";
import "./grid-tab.css";

// The side panels are loaded when a run or a task is first selected (docs/ui.md, "First load").
const RunPanel = lazy(() => import("./run-panel").then((m) => ({ default: m.RunPanel })));
const TaskPanel = lazy(() => import("./task-panel").then((m) => ({ default: m.TaskPanel })));

const NAME_W = 260;
const COL_W = 26;
const ROW_H = 26;
const BAR_MAX = 44;
const LABEL_H = 74;
// Note dot, bar track, state glyph, date label, with their gaps (grid-tab.css).
const HEAD_H = 10 + BAR_MAX + 4 + 14 + 4 + LABEL_H + 6;
/** `.grid-scroll`'s height is `max(360px, 100vh - 390px)` (pages.css). */
const GRID_MIN_H = 360;
const GRID_CHROME_H = 390;

/** A run's note (why it ended as it did); the grid endpoint sends it since issue 12. */
type RunWithNote = GridRun & { note?: string | null };

export function GridTab({ dagId }: { dagId: string }) {
  const grid = useGrid(dagId, 25);
  const [sp, setSp] = useSearchParam();
  const selRun = sp.get("run");
  const selTask = sp.get("task");
  const model = useMemo(() => buildGridModel(grid.data?.pages), [grid.data]);
  const groups = useGroups(model.tasks, selTask);

  if (grid.isPending)
    return (
      <div className="card">
        <SkeletonRows rows={10} height={22} />
      </div>
    );
  if (grid.isError)
    return (
      <div className="card">
        <ErrorState error={grid.error} onRetry={() => void grid.refetch()} />
      </div>
    );
  if (model.tasks.length === 0)
    return (
      <div className="card">
        <EmptyState title="This DAG has no tasks">Add tasks in the DAG file; the grid shows one row per task.</EmptyState>
      </div>
    );

  const close = () => setSp({ run: null, task: null, try: null });
  return (
    <div className="grid-layout" data-testid="grid-layout">
      <div className="card grid-card">
        <div className="card-head toolbar">
          <span className="small muted">
            {model.runs.length} run{model.runs.length === 1 ? "" : "s"} × {model.tasks.length} task{model.tasks.length === 1 ? "" : "s"} · newest first
          </span>
          <span className="spacer" />
          {groups.groups.size > 0 && (
            <>
              <button
                type="button"
                className="btn btn-sm"
                onClick={() => groups.setAll(false)}
                disabled={groups.collapsed.size === 0}
                data-testid="grid-expand-all"
              >
                Expand groups
              </button>
              <button
                type="button"
                className="btn btn-sm"
                onClick={() => groups.setAll(true)}
                disabled={groups.collapsed.size === groups.groups.size}
                data-testid="grid-collapse-all"
              >
                Collapse groups
              </button>
            </>
          )}
          {grid.hasNextPage && (
            <button
              type="button"
              className="btn btn-sm"
              onClick={() => void grid.fetchNextPage()}
              disabled={grid.isFetchingNextPage}
              data-testid="grid-load-older"
            >
              {grid.isFetchingNextPage ? "Loading…" : "Load older runs"}
            </button>
          )}
        </div>
        {model.runs.length === 0 ? (
          <EmptyState icon={<Icon.play size={20} />} title="No runs yet">
            <p className="small">
              Press <strong>Trigger</strong> (or <kbd>t</kbd>) to start a run, or unpause the DAG and wait for its schedule.
            </p>
          </EmptyState>
        ) : (
          <GridMatrix
            dagId={dagId}
            model={model}
            rows={groups.rows}
            onToggle={groups.toggle}
            selRun={selRun}
            selTask={selTask}
            onSelect={(run, task) => setSp({ run, task, try: null })}
          />
        )}
        <div className="grid-legend">
          <StateLegend />
        </div>
      </div>
      <Suspense fallback={null}>
        {selRun && selTask && <TaskPanel key={`${selRun}/${selTask}`} dagId={dagId} runId={selRun} taskId={selTask} onClose={close} />}
        {selRun && !selTask && <RunPanel key={selRun} dagId={dagId} runId={selRun} onClose={close} />}
      </Suspense>
    </div>
  );
}

/** Which groups are collapsed: by default all of them above COLLAPSE_ABOVE tasks, never the selected task's. */
function useGroups(tasks: GridTask[], selTask: string | null) {
  const groups = useMemo(() => taskGroups(tasks), [tasks]);
  const [chosen, setChosen] = useState<ReadonlySet<string> | null>(null);
  const selGroup = useMemo(() => {
    const i = selTask === null ? -1 : tasks.findIndex((t) => t.taskId === selTask);
    for (const [g, members] of groups) if (members.includes(i)) return g;
    return null;
  }, [groups, tasks, selTask]);
  const collapsed = useMemo(() => {
    if (chosen) return chosen;
    const all = new Set(tasks.length > COLLAPSE_ABOVE ? groups.keys() : []);
    if (selGroup !== null) all.delete(selGroup);
    return all;
  }, [chosen, groups, tasks.length, selGroup]);
  // A task selected from elsewhere (search, a link, the graph) opens its group.
  useEffect(() => {
    if (selGroup !== null)
      setChosen((c) => {
        if (!c?.has(selGroup)) return c;
        const n = new Set(c);
        n.delete(selGroup);
        return n;
      });
  }, [selGroup]);
  const rows = useMemo(() => buildRows(tasks, groups, collapsed), [tasks, groups, collapsed]);
  const toggle = useCallback(
    (g: string) => {
      const n = new Set(collapsed);
      if (!n.delete(g)) n.add(g);
      setChosen(n);
    },
    [collapsed],
  );
  const setAll = useCallback((collapse: boolean) => setChosen(collapse ? new Set(groups.keys()) : new Set()), [groups]);
  return { groups, collapsed, rows, toggle, setAll };
}

interface MatrixProps {
  dagId: string;
  model: ReturnType<typeof buildGridModel>;
  rows: GridRow[];
  onToggle: (group: string) => void;
  selRun: string | null;
  selTask: string | null;
  onSelect: (runId: string, taskId: string | null) => void;
}

function GridMatrix({ model, rows: gridRows, onToggle, selRun, selTask, onSelect }: MatrixProps) {
  const { runs, axis } = model;
  const scrollRef = useRef<HTMLDivElement>(null);
  // Active cell for the roving tab stop, kept by ids so that new runs arriving on the left do
  // not move it; rowKey null is the run header row. A task hidden in a collapsed group falls
  // back to its group's row.
  const [activeIds, setActiveIds] = useState<{ rowKey: string | null; runId: string | null }>(() => ({ rowKey: selTask, runId: selRun }));
  const rowIndex = useMemo(() => new Map(gridRows.map((x, i) => [x.key, i])), [gridRows]);
  const groupRowOf = useMemo(() => {
    const m = new Map<string, number>();
    gridRows.forEach((x, i) => {
      if (x.kind === "group") for (const t of x.members) m.set(model.tasks[t]!.taskId, i);
    });
    return m;
  }, [gridRows, model.tasks]);
  const rowOf = (key: string | null) => (key === null ? -1 : (rowIndex.get(key) ?? groupRowOf.get(key) ?? -1));
  const runIndex = useMemo(() => new Map(runs.map((x, i) => [x.runId, i])), [runs]);
  const r = activeIds.rowKey === null ? (activeIds.runId ? -1 : 0) : Math.max(0, rowOf(activeIds.rowKey));
  const c = activeIds.runId === null ? 0 : (runIndex.get(activeIds.runId) ?? 0);
  const activeRef = useRef({ r, c });
  activeRef.current = { r, c };
  const setActive = useCallback(
    (p: { r: number; c: number }) => {
      setActiveIds({ rowKey: p.r < 0 ? null : (gridRows[p.r]?.key ?? null), runId: runs[p.c]?.runId ?? null });
    },
    [gridRows, runs],
  );

  const withActive = (idx: () => number) => (range: Range) => {
    const out = defaultRangeExtractor(range);
    const a = idx();
    if (a >= 0 && a < range.count && !out.includes(a)) {
      out.push(a);
      out.sort((x, y) => x - y);
    }
    return out;
  };
  // The scroll box's size as pages.css sets it (`.grid-scroll`), until it is measured: the first
  // render draws the cells on screen, rather than none until a layout effect has measured the
  // box and rendered again (docs/ui.md, "First load").
  const initialRect = { width: window.innerWidth, height: Math.max(GRID_MIN_H, window.innerHeight - GRID_CHROME_H) };
  const rows = useVirtualizer({
    count: gridRows.length,
    getScrollElement: () => scrollRef.current,
    initialRect,
    estimateSize: () => ROW_H,
    overscan: 4,
    scrollMargin: HEAD_H,
    scrollPaddingStart: HEAD_H,
    rangeExtractor: withActive(() => activeRef.current.r),
  });
  const cols = useVirtualizer({
    horizontal: true,
    count: runs.length,
    getScrollElement: () => scrollRef.current,
    initialRect,
    estimateSize: () => COL_W,
    overscan: 6,
    scrollMargin: NAME_W,
    scrollPaddingStart: NAME_W,
    rangeExtractor: withActive(() => activeRef.current.c),
  });

  const focusCell = useCallback(
    (nr: number, nc: number) => {
      setActive({ r: nr, c: nc });
      if (nr >= 0) rows.scrollToIndex(nr, { align: "auto" });
      cols.scrollToIndex(nc, { align: "auto" });
      requestAnimationFrame(() => {
        const el = scrollRef.current?.querySelector<HTMLElement>(`[data-r="${nr}"][data-c="${nc}"]`);
        el?.focus({ preventScroll: nr >= 0 });
      });
    },
    [rows, cols, setActive],
  );

  const onKeyDown = (e: KeyboardEvent) => {
    const t = e.target as HTMLElement;
    if (!t.dataset.c) return;
    const last = gridRows.length - 1;
    const pageRows = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 400) / ROW_H) - 3);
    // Move from the cell that has the focus (it may have been focused without a click).
    const r = Number(t.dataset.r),
      c = Number(t.dataset.c);
    let nr = r,
      nc = c;
    switch (e.key) {
      case "ArrowUp":
        nr = Math.max(-1, r - 1);
        break;
      case "ArrowDown":
        nr = Math.min(last, r + 1);
        break;
      case "ArrowLeft":
        nc = Math.max(0, c - 1);
        break;
      case "ArrowRight":
        nc = Math.min(runs.length - 1, c + 1);
        break;
      case "Home":
        if (e.ctrlKey) nr = 0;
        nc = 0;
        break;
      case "End":
        if (e.ctrlKey) nr = last;
        nc = runs.length - 1;
        break;
      case "PageUp":
        nr = Math.max(0, r - pageRows);
        break;
      case "PageDown":
        nr = Math.min(last, r + pageRows);
        break;
      default:
        return;
    }
    e.preventDefault();
    focusCell(nr, nc);
  };

  const onClick = (e: MouseEvent) => {
    const el = (e.target as HTMLElement).closest<HTMLElement>("[data-c], [data-toggle]");
    if (!el) return;
    if (el.dataset.toggle !== undefined) {
      onToggle(el.dataset.toggle);
      return;
    }
    const nr = Number(el.dataset.r),
      nc = Number(el.dataset.c);
    const run = runs[nc];
    if (!run) return;
    setActive({ r: nr, c: nc });
    const row = nr >= 0 ? gridRows[nr] : undefined;
    if (row?.kind === "group") onToggle(row.group);
    else onSelect(run.runId, row?.task.taskId ?? null);
  };

  const width = NAME_W + cols.getTotalSize();
  const vRows = rows.getVirtualItems();
  const vCols = cols.getVirtualItems();
  const selCol = selRun ? (runIndex.get(selRun) ?? -1) : -1;
  const selRow = selTask ? rowOf(selTask) : -1;

  return (
    <div
      ref={scrollRef}
      className="grid-scroll"
      role="grid"
      aria-label="Task instances: tasks as rows, runs as columns, newest run first"
      aria-rowcount={gridRows.length + 1}
      aria-colcount={runs.length + 1}
      onKeyDown={onKeyDown}
      onClick={onClick}
    >
      <div style={{ width, minWidth: "100%", height: HEAD_H + rows.getTotalSize(), position: "relative" }}>
        <div className="grid-head" role="row" aria-rowindex={1} style={{ width, height: HEAD_H }}>
          <div className="grid-corner grid-corner-axis" role="columnheader" style={{ width: NAME_W, height: HEAD_H }}>
            <span className="xs muted" style={{ height: BAR_MAX + 18 }}>
              Run duration ↑{model.maxDurationMs > 0 ? ` (longest ${fmtDuration(model.maxDurationMs)})` : ""}
            </span>
            <span className="xs muted">Date (logical; manual runs: start)</span>
            <span className="section-title">Task</span>
          </div>
          <div style={{ position: "relative", width: cols.getTotalSize(), height: HEAD_H }}>
            {vCols.map((vc) => {
              const run = runs[vc.index]!;
              return (
                <RunHeader
                  key={run.runId}
                  run={run}
                  axis={axis[vc.index]!}
                  index={vc.index}
                  left={vc.start - NAME_W}
                  maxMs={model.maxDurationMs}
                  selected={vc.index === selCol && selRow < 0}
                  tabbable={r === -1 && c === vc.index}
                />
              );
            })}
          </div>
        </div>
        <div style={{ display: "flex", width }}>
          <div className="grid-names" aria-hidden="true" style={{ width: NAME_W, height: rows.getTotalSize() }}>
            {vRows.map((vr) => {
              const row = gridRows[vr.index]!;
              const style = { top: vr.start - HEAD_H, height: ROW_H };
              if (row.kind === "group") {
                return (
                  <div
                    key={row.key}
                    className={`grid-name grid-group-name${vr.index === selRow ? " is-sel" : ""}`}
                    style={style}
                    data-toggle={row.group}
                    data-expanded={row.expanded}
                    data-testid={`grid-group-${row.group}`}
                    title={`${row.group}: ${row.members.length} tasks (click to ${row.expanded ? "collapse" : "expand"})`}
                  >
                    <span className={`grid-caret${row.expanded ? " is-open" : ""}`}>
                      <Icon.chevronRight size={12} />
                    </span>
                    <span className="truncate mono">{row.group}</span>
                    <span className="kind">{row.members.length} tasks</span>
                  </div>
                );
              }
              const t = row.task;
              const prefix = row.group === null ? "" : t.taskId.slice(0, row.group.length + 1);
              return (
                <div
                  key={row.key}
                  className={`grid-name${row.group !== null ? " in-group" : ""}${vr.index === selRow ? " is-sel" : ""}`}
                  style={style}
                  title={`${t.taskId} (${t.kind})${t.upstream.length ? ` ← ${t.upstream.join(", ")}` : ""}`}
                >
                  <span className="truncate mono">
                    {prefix && <span className="grid-prefix">{prefix}</span>}
                    {t.taskId.slice(prefix.length)}
                  </span>
                  <span className="kind">{t.kind}</span>
                </div>
              );
            })}
          </div>
          <div style={{ position: "relative", width: cols.getTotalSize(), height: rows.getTotalSize() }}>
            {selCol >= 0 && <div className="grid-col-hl" style={{ left: selCol * COL_W, width: COL_W, height: rows.getTotalSize() }} />}
            {selRow >= 0 && <div className="grid-row-hl" style={{ top: selRow * ROW_H, height: ROW_H, width: cols.getTotalSize() }} />}
            {vRows.map((vr) => {
              const row = gridRows[vr.index]!;
              const isGroup = row.kind === "group";
              return (
                <div
                  key={row.key}
                  role="row"
                  aria-rowindex={vr.index + 2}
                  aria-expanded={isGroup ? row.expanded : undefined}
                  className={isGroup ? "grid-group-row" : undefined}
                  style={{ position: "absolute", top: vr.start - HEAD_H, left: 0, height: ROW_H, width: cols.getTotalSize() }}
                >
                  {vCols.map((vc) => {
                    const run = runs[vc.index]!;
                    const common = {
                      runId: run.runId,
                      r: vr.index,
                      c: vc.index,
                      left: vc.start - NAME_W,
                      tabbable: r === vr.index && c === vc.index,
                      selected: vr.index === selRow && vc.index === selCol,
                    };
                    if (isGroup) {
                      const agg = aggregateCell(row.members.map((m) => run.tasks[m]));
                      return (
                        <GroupCellView
                          key={run.runId}
                          {...common}
                          group={row.group}
                          size={row.members.length}
                          expanded={row.expanded}
                          state={agg.state}
                          retried={agg.retried}
                        />
                      );
                    }
                    const cell = run.tasks[row.taskIndex];
                    return <Cell key={run.runId} {...common} taskId={row.task.taskId} state={cell?.state ?? "none"} tryNumber={cell?.tryNumber ?? 0} />;
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

const RunHeader = memo(function RunHeader({
  run,
  axis,
  index,
  left,
  maxMs,
  selected,
  tabbable,
}: {
  run: RunWithNote;
  axis: RunAxis;
  index: number;
  left: number;
  maxMs: number;
  selected: boolean;
  tabbable: boolean;
}) {
  const ms = runDurationMs(run);
  const h = ms === null || maxMs <= 0 ? 3 : Math.max(3, Math.round((ms / maxMs) * BAR_MAX));
  const note = run.note ?? null;
  const label = `Run ${run.runId} (${run.runType}): ${stateLabel(run.state)}, ${axis.full}, duration ${fmtDuration(ms)}${note ? `. Note: ${note}` : ""}`;
  return (
    <button
      type="button"
      className={`run-head run-head-axis${selected ? " is-sel" : ""}${axis.day !== null && index > 0 ? " day-start" : ""}`}
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
      <span className="run-note-slot">{note && <span className="run-note" data-testid={`grid-run-note-${run.runId}`} />}</span>
      <span className="run-track" style={{ height: BAR_MAX }}>
        <span className="run-bar" style={{ height: h }} />
      </span>
      <span className="state-icon">
        <StateGlyph state={run.state} size={9} />
      </span>
      <span className="run-date" style={{ height: LABEL_H }} data-testid={`grid-date-${run.runId}`} data-at={axis.at ?? ""}>
        {axis.day !== null && <strong className="run-day">{axis.day}</strong>}
        {axis.time && <span className="run-time">{axis.time}</span>}
      </span>
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
