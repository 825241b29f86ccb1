/** Runs of one DAG: a duration chart of the last 50 runs and a filterable, paged table. */
import { useMemo, useState } from "react";
import { useRuns } from "../../api/queries";
import type { Run } from "../../api/types";
import { Icon } from "../../design/icons";
import { EmptyState, ErrorState, SkeletonRows } from "../../design/misc";
import { StateBadge, stateLabel, stateVars } from "../../design/state";
import { fmtDate, fmtDuration, fmtShort, spanMs } from "../../lib/format";
import { Link, useSearchParam } from "../../router";
import { RunActions } from "./run-actions";
import { deadlineMissed } from "../../api/deadlines";
import { DeadlineBadge } from "../../design/deadline-badge";

const STATES = ["", "running", "queued", "success", "failed"] as const;
const TYPES = ["", "scheduled", "manual", "backfill", "dataset", "event"] as const;

export function RunsTab({ dagId }: { dagId: string }) {
  const [state, setState] = useState<string>("");
  const [runType, setRunType] = useState<string>("");
  const runs = useRuns(dagId, { state, runType, limit: 50 });
  const chartRuns = useRuns(dagId, { limit: 50 });
  const list = useMemo(() => runs.data?.pages.flatMap((p) => p.runs) ?? [], [runs.data]);
  const [sp, setSp] = useSearchParam();
  const sel = sp.get("run");

  return (
    <div className="stack">
      <div className="card">
        <div className="card-head">
          <h3 style={{ fontSize: "var(--text-md)" }}>Run duration</h3>
          <span className="muted small">last 50 runs, oldest → newest</span>
        </div>
        <div className="card-body">
          {chartRuns.isPending ? (
            <SkeletonRows rows={1} height={140} />
          ) : (
            <DurationChart runs={chartRuns.data?.pages[0]?.runs ?? []} selected={sel} onSelect={(id) => setSp({ run: id }, true)} />
          )}
        </div>
      </div>
      <div className="card">
        <div className="card-head toolbar">
          <label className="row small">
            <span className="muted">State</span>
            <select className="select" style={{ width: "auto" }} value={state} onChange={(e) => setState(e.target.value)} data-testid="runs-filter-state">
              {STATES.map((s) => (
                <option key={s} value={s}>
                  {s ? stateLabel(s) : "Any"}
                </option>
              ))}
            </select>
          </label>
          <label className="row small">
            <span className="muted">Type</span>
            <select className="select" style={{ width: "auto" }} value={runType} onChange={(e) => setRunType(e.target.value)}>
              {TYPES.map((s) => (
                <option key={s} value={s}>
                  {s || "Any"}
                </option>
              ))}
            </select>
          </label>
        </div>
        {runs.isPending ? (
          <SkeletonRows rows={6} />
        ) : runs.isError ? (
          <ErrorState error={runs.error} onRetry={() => void runs.refetch()} />
        ) : list.length === 0 ? (
          <EmptyState icon={<Icon.play size={20} />} title={state || runType ? "No runs match these filters" : "No runs yet"}>
            <p className="small">
              {state || runType ? "Choose another state or type." : "Trigger a run with the Trigger button, or unpause the DAG so its schedule creates runs."}
            </p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="runs-table">
              <thead>
                <tr>
                  <th scope="col">State</th>
                  <th scope="col">Run</th>
                  <th scope="col">Type</th>
                  <th scope="col">Logical date</th>
                  <th scope="col">Started</th>
                  <th scope="col" className="num">
                    Duration
                  </th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {list.map((r) => (
                  <RunRow key={r.runId} dagId={dagId} run={r} selected={r.runId === sel} />
                ))}
              </tbody>
            </table>
            {runs.hasNextPage && (
              <div className="row" style={{ justifyContent: "center", padding: 12 }}>
                <button type="button" className="btn" onClick={() => void runs.fetchNextPage()} disabled={runs.isFetchingNextPage}>
                  {runs.isFetchingNextPage ? "Loading…" : "Load more runs"}
                </button>
              </div>
            )}
          </div>
        )}
      </div>
    </div>
  );
}

function RunRow({ dagId, run, selected }: { dagId: string; run: Run; selected: boolean }) {
  const q = `?run=${encodeURIComponent(run.runId)}`;
  return (
    <tr aria-selected={selected} data-testid={`run-row-${run.runId}`}>
      <td>
        <StateBadge state={run.state} />
      </td>
      <td>
        <Link className="link mono small" to={`/dags/${encodeURIComponent(dagId)}/grid${q}`}>
          {run.runId}
        </Link>
        {deadlineMissed(run) && (
          <>
            {" "}
            <DeadlineBadge />
          </>
        )}
      </td>
      <td>
        <span className="badge">{run.runType}</span>
      </td>
      <td className="nowrap">{fmtDate(run.logicalDate)}</td>
      <td className="nowrap">{fmtDate(run.startedAt)}</td>
      <td className="num nowrap">{fmtDuration(run.durationMs ?? spanMs(run.startedAt, run.endedAt))}</td>
      <td>
        <RunActions dagId={dagId} runId={run.runId} state={run.state} compact />
      </td>
    </tr>
  );
}

/** Bar chart (pure SVG) of run durations; bars take the run's state colour, oldest logical date on the left. */
function DurationChart({ runs, selected, onSelect }: { runs: Run[]; selected: string | null; onSelect: (runId: string) => void }) {
  // The API lists runs newest-created first; a backfill or catch-up creates runs with older
  // logical dates later, so order by the date the axis shows (logical date, else creation).
  const data = useMemo(() => {
    const at = (r: Run) => Date.parse(r.logicalDate ?? r.createdAt ?? "") || 0;
    return [...runs]
      .sort((a, b) => at(a) - at(b) || (Date.parse(a.createdAt ?? "") || 0) - (Date.parse(b.createdAt ?? "") || 0))
      .map((r) => ({ run: r, ms: r.durationMs ?? spanMs(r.startedAt, r.endedAt) ?? 0 }));
  }, [runs]);
  if (data.length === 0) return <p className="muted small">No runs to chart yet.</p>;
  const W = 1000,
    H = 150,
    PAD_L = 56,
    PAD_B = 22,
    PAD_T = 8;
  const max = Math.max(1, ...data.map((d) => d.ms));
  const bw = (W - PAD_L) / Math.max(data.length, 20);
  const ticks = [0, 0.5, 1].map((f) => f * max);
  return (
    <svg
      viewBox={`0 0 ${W} ${H}`}
      className="chart"
      role="img"
      aria-label={`Durations of the last ${data.length} runs, longest ${fmtDuration(max)}`}
      data-testid="runs-duration-chart"
    >
      {ticks.map((t) => {
        const y = PAD_T + (H - PAD_T - PAD_B) * (1 - t / max);
        return (
          <g key={t}>
            <line x1={PAD_L} x2={W} y1={y} y2={y} className="chart-grid" />
            <text x={PAD_L - 6} y={y + 4} textAnchor="end" className="chart-label">
              {fmtDuration(t)}
            </text>
          </g>
        );
      })}
      {data.map(({ run, ms }, i) => {
        const h = Math.max(2, (H - PAD_T - PAD_B) * (ms / max));
        const x = PAD_L + i * bw + bw * 0.15;
        const label = `${run.runId}: ${stateLabel(run.state)}, ${fmtDuration(ms)}`;
        return (
          <g key={run.runId} style={stateVars(run.state)} className={`chart-bar${run.runId === selected ? " is-sel" : ""}`} onClick={() => onSelect(run.runId)}>
            <title>{label}</title>
            <rect data-run={run.runId} x={x} y={H - PAD_B - h} width={bw * 0.7} height={h} rx={2} />
          </g>
        );
      })}
      <text x={PAD_L} y={H - 4} className="chart-label" data-testid="runs-chart-first">
        {fmtShort(data[0]?.run.logicalDate ?? data[0]?.run.createdAt)}
      </text>
      <text x={W} y={H - 4} textAnchor="end" className="chart-label" data-testid="runs-chart-last">
        {fmtShort(data[data.length - 1]?.run.logicalDate ?? data[data.length - 1]?.run.createdAt)}
      </text>
    </svg>
  );
}
