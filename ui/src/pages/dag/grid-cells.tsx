import { memo } from "react";
import { StateGlyph, stateLabel } from "../../design/state";
import "./grid-cells.css";

// The grid's cells (grid-tab.tsx): a task instance's and a collapsed group's, one button each. Their
// colours come from CSS by data-state (grid-cells.css), not from an inline style per cell.

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

/** The button every grid cell is: position, state colours, roving tab index and the row/column the keyboard moves by. */
function CellButton(p: {
  label: string;
  className: string;
  state: string;
  r: number;
  c: number;
  left: number;
  tabbable: boolean;
  selected: boolean;
  expanded?: boolean;
  tryNumber?: number;
  testId: string;
  retryTestId?: string;
  retried: boolean;
}) {
  return (
    <button
      type="button"
      role="gridcell"
      aria-colindex={p.c + 2}
      aria-selected={p.selected}
      aria-expanded={p.expanded}
      aria-label={p.label}
      title={p.label}
      className={p.className}
      style={{ left: p.left }}
      tabIndex={p.tabbable ? 0 : -1}
      data-r={p.r}
      data-c={p.c}
      data-state={p.state}
      data-try={p.tryNumber}
      data-testid={p.testId}
    >
      {p.state !== "none" && <StateGlyph state={p.state} size={10} />}
      {p.retried && <span className="cell-retry" data-testid={p.retryTestId} />}
    </button>
  );
}

export const Cell = memo(function Cell({ runId, taskId, state, tryNumber, r, c, left, tabbable, selected }: CellProps) {
  const label = `${taskId} in ${runId}: ${stateLabel(state)}${tryNumber > 1 ? `, try ${tryNumber} (retried ${tryNumber - 1}×)` : ""}`;
  return (
    <CellButton
      label={label}
      className="cell"
      state={state}
      r={r}
      c={c}
      left={left}
      tabbable={tabbable}
      selected={selected}
      tryNumber={tryNumber}
      testId={`grid-cell-${runId}-${taskId}`}
      retryTestId={`grid-retry-${runId}-${taskId}`}
      retried={tryNumber > 1}
    />
  );
});

interface GroupCellProps {
  runId: string;
  group: string;
  size: number;
  expanded: boolean;
  state: string;
  retried: number;
  r: number;
  c: number;
  left: number;
  tabbable: boolean;
  selected: boolean;
}

export const GroupCellView = memo(function GroupCellView({ runId, group, size, expanded, state, retried, r, c, left, tabbable, selected }: GroupCellProps) {
  const label = `group ${group} (${size} tasks) in ${runId}: ${stateLabel(state)}${retried ? `, ${retried} task${retried === 1 ? "" : "s"} retried` : ""}; ${expanded ? "expanded, Enter collapses" : "collapsed, Enter expands"}`;
  return (
    <CellButton
      label={label}
      className="cell cell-group"
      state={state}
      r={r}
      c={c}
      left={left}
      tabbable={tabbable}
      selected={selected}
      expanded={expanded}
      testId={`grid-group-cell-${runId}-${group}`}
      retried={retried > 0}
    />
  );
});
