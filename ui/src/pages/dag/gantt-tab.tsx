/** Gantt of one run: a bar per task from start to end, the queued wait drawn lighter before it. */
import { useMemo } from "react";
import { useTaskInstances } from "../../api/queries";
import type { TaskInstance } from "../../api/types";
import { Icon } from "../../design/icons";
import { EmptyState, ErrorState, SkeletonRows } from "../../design/misc";
import { StateGlyph, stateLabel, stateVars } from "../../design/state";
import { fmtDuration, fmtTime } from "../../lib/format";
import { navigate } from "../../router";
import { useNow } from "./grid-tab";
import { RunPicker, useSelectedRun } from "./run-picker";

const ROW_H = 26;
const NAME_W = 220;

export function GanttTab({ dagId }: { dagId: string }) {
  const { runId, loading } = useSelectedRun(dagId);
  const tis = useTaskInstances(dagId, runId);
  const anyRunning = tis.data?.some((t) => t.state === "running") ?? false;
  const now = useNow(1000, anyRunning);

  const rows = useMemo(() => {
    // Copies replaced by a later expansion (state removed) are history, not part of this run's timeline.
    const list = (tis.data ?? []).filter((t) => t.state !== "removed" || t.mapIndex < 0);
    const key = (t: TaskInstance) => Date.parse(t.queuedAt ?? t.startedAt ?? "") || Infinity;
    return list.sort((a, b) => key(a) - key(b) || a.taskId.localeCompare(b.taskId));
  }, [tis.data]);

  const [t0, t1] = useMemo(() => {
    let lo = Infinity,
      hi = -Infinity;
    for (const t of rows) {
      const s = Date.parse(t.queuedAt ?? t.startedAt ?? "");
      if (!Number.isNaN(s)) lo = Math.min(lo, s);
      const e = t.endedAt ? Date.parse(t.endedAt) : t.startedAt ? now : NaN;
      if (!Number.isNaN(e)) hi = Math.max(hi, e);
      if (t.startedAt) hi = Math.max(hi, Date.parse(t.startedAt));
    }
    return lo === Infinity ? [0, 0] : [lo, Math.max(hi, lo + 1000)];
  }, [rows, now]);

  const toolbar = (
    <div className="card-head toolbar">
      <RunPicker dagId={dagId} />
      <span className="spacer" />
      <span className="row xs muted">
        <span className="gantt-key gantt-key-q" /> queued <span className="gantt-key" /> running
      </span>
    </div>
  );
  if (loading || (runId && tis.isPending))
    return (
      <div className="card">
        {toolbar}
        <SkeletonRows rows={8} height={20} />
      </div>
    );
  if (!runId)
    return (
      <div className="card">
        <EmptyState icon={<Icon.play size={20} />} title="No runs yet">
          Trigger a run to see how long each task took.
        </EmptyState>
      </div>
    );
  if (tis.isError)
    return (
      <div className="card">
        {toolbar}
        <ErrorState error={tis.error} onRetry={() => void tis.refetch()} />
      </div>
    );
  if (t0 === 0)
    return (
      <div className="card">
        {toolbar}
        <EmptyState title="Nothing has started in this run yet">Bars appear as tasks are queued and start running.</EmptyState>
      </div>
    );

  const span = t1 - t0;
  const ticks = Array.from({ length: 6 }, (_, i) => t0 + (span * i) / 5);
  const pct = (t: number) => `${((t - t0) / span) * 100}%`;
  return (
    <div className="card" data-testid="gantt">
      {toolbar}
      <div className="gantt" role="table" aria-label={`Gantt chart of run ${runId}`}>
        <div className="gantt-axis" role="row" style={{ gridTemplateColumns: `${NAME_W}px 1fr` }}>
          <span role="columnheader" className="section-title" style={{ paddingLeft: 16 }}>
            Task
          </span>
          <div role="columnheader" className="gantt-ticks">
            {ticks.map((t, i) => (
              <span key={i} style={{ left: pct(t) }} className={i === 5 ? "last" : i === 0 ? "first" : undefined}>
                {i === 0 ? fmtTime(t) : `+${fmtDuration(t - t0)}`}
              </span>
            ))}
          </div>
        </div>
        {rows.map((t) => {
          const q = t.queuedAt ? Date.parse(t.queuedAt) : null;
          const s = t.startedAt ? Date.parse(t.startedAt) : null;
          const e = t.endedAt ? Date.parse(t.endedAt) : s !== null ? now : null;
          const label = `${t.taskId}: ${stateLabel(t.state)}${s !== null && e !== null ? `, ran ${fmtDuration(e - s)}` : ""}${q !== null && s !== null ? `, queued ${fmtDuration(s - q)}` : ""}`;
          return (
            <div key={`${t.taskId}-${t.mapIndex}`} className="gantt-row" role="row" style={{ gridTemplateColumns: `${NAME_W}px 1fr`, height: ROW_H }}>
              <button
                type="button"
                role="rowheader"
                className="gantt-name"
                onClick={() =>
                  navigate(
                    `/dags/${encodeURIComponent(dagId)}/grid?run=${encodeURIComponent(runId)}&task=${encodeURIComponent(t.taskId)}${t.mapIndex >= 0 ? `&map=${t.mapIndex}` : ""}`,
                  )
                }
                title={`Open ${t.taskId} in the grid`}
              >
                <span className="state-icon" style={stateVars(t.state)}>
                  <StateGlyph state={t.state} size={9} />
                </span>
                <span className="truncate mono">
                  {t.taskId}
                  {t.mapIndex >= 0 ? `[${t.mapIndex}]` : ""}
                </span>
              </button>
              <div role="cell" className="gantt-track" aria-label={label} title={label} style={stateVars(t.state)}>
                {ticks.map((tk, i) => (
                  <span key={i} className="gantt-grid" style={{ left: pct(tk) }} />
                ))}
                {q !== null && (s ?? e) !== null && (s ?? e)! > q && (
                  <span className="gantt-bar gantt-queued" style={{ left: pct(q), width: `${(((s ?? e)! - q) / span) * 100}%` }} />
                )}
                {s !== null && e !== null && (
                  <span
                    className={`gantt-bar${t.state === "running" ? " running-anim" : ""}`}
                    style={{ left: pct(s), width: `max(3px, ${((e - s) / span) * 100}%)` }}
                  />
                )}
              </div>
            </div>
          );
        })}
      </div>
    </div>
  );
}
