/** Missed deadlines (docs/deadlines.md): newest first, filtered by DAG, each linking to its run. */
import { useMemo } from "react";
import { useMissedDeadlines, type MissedDeadline } from "../api/deadlines";
import { Icon } from "../design/icons";
import { EmptyState, ErrorState, SkeletonRows } from "../design/misc";
import { fmtDate, fmtDuration } from "../lib/format";
import { Link, useSearchParam } from "../router";

export function DeadlinesPage() {
  const [sp, setSp] = useSearchParam();
  const dagId = sp.get("dag") ?? "";
  const missed = useMissedDeadlines(dagId ? { dagId } : {});
  const list = useMemo(() => missed.data?.pages.flatMap((p) => p.missed) ?? [], [missed.data]);
  return (
    <>
      <h1>Missed deadlines</h1>
      <div className="card">
        <div className="card-head toolbar">
          <label className="row small">
            <span className="muted">DAG</span>
            <input
              className="input"
              style={{ width: 220 }}
              placeholder="any DAG"
              value={dagId}
              onChange={(e) => setSp({ dag: e.target.value.trim() || null }, true)}
              data-testid="deadlines-filter-dag"
            />
          </label>
        </div>
        {missed.isPending ? (
          <SkeletonRows rows={4} />
        ) : missed.isError ? (
          <ErrorState error={missed.error} onRetry={() => void missed.refetch()} />
        ) : list.length === 0 ? (
          <EmptyState icon={<Icon.check size={22} />} title={dagId ? `No missed deadlines for ${dagId}` : "No missed deadlines"}>
            <p className="small">
              A DAG's <code>deadline</code> and a task's <code>expectedDuration</code> are watched while runs go; a miss shows up here once.
            </p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="deadlines-table">
              <thead>
                <tr>
                  <th scope="col">Detected</th>
                  <th scope="col">DAG</th>
                  <th scope="col">Run</th>
                  <th scope="col">Task</th>
                  <th scope="col">Deadline</th>
                  <th scope="col">Due</th>
                  <th scope="col" className="num">
                    Late by (at detection)
                  </th>
                </tr>
              </thead>
              <tbody>
                {list.map((m) => (
                  <MissedRow key={m.id} m={m} />
                ))}
              </tbody>
            </table>
            {missed.hasNextPage && (
              <div className="row" style={{ justifyContent: "center", padding: 12 }}>
                <button type="button" className="btn" onClick={() => void missed.fetchNextPage()} disabled={missed.isFetchingNextPage}>
                  {missed.isFetchingNextPage ? "Loading…" : "Load more"}
                </button>
              </div>
            )}
          </div>
        )}
      </div>
    </>
  );
}

function MissedRow({ m }: { m: MissedDeadline }) {
  const dag = encodeURIComponent(m.dagId);
  const run = `?run=${encodeURIComponent(m.runId)}`;
  const late = m.dueAt && m.detectedAt ? Date.parse(m.detectedAt) - Date.parse(m.dueAt) : null;
  return (
    <tr data-testid={`deadline-row-${m.id}`}>
      <td className="nowrap">{fmtDate(m.detectedAt)}</td>
      <td>
        <Link className="link" to={`/dags/${dag}`}>
          {m.dagId}
        </Link>
      </td>
      <td>
        <Link className="link mono small" to={`/dags/${dag}/grid${run}`}>
          {m.runId}
        </Link>
      </td>
      <td className="mono small">
        {m.taskId === null ? <span className="muted">run</span> : `${m.taskId}${m.mapIndex >= 0 ? `[${m.mapIndex}]` : ""} · try ${m.tryNumber}`}
      </td>
      <td>
        <code>{m.deadline}</code>
      </td>
      <td className="nowrap">{fmtDate(m.dueAt)}</td>
      <td className="num nowrap">{late === null ? "—" : fmtDuration(late)}</td>
    </tr>
  );
}
