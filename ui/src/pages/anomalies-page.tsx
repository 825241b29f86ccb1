/** Anomalies (docs/anomalies.md): values far outside their task's baseline, newest first, with the evidence. */
import { useMemo } from "react";
import { useAnomalies, type Anomaly } from "../api/anomalies";
import { Icon } from "../design/icons";
import { EmptyState, ErrorState, SkeletonRows } from "../design/misc";
import { fmtDate } from "../lib/format";
import { Link, useSearchParam } from "../router";

const SEASONS: Record<Anomaly["baseline"]["season"], string> = {
  none: "last runs",
  hour_of_week: "same hour of the week",
  weekday: "same weekday",
  hour_of_day: "same hour of the day",
};

function fmtValue(metric: string, v: number): string {
  const n = Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
  return metric === "duration" || metric === "landing" ? `${n} s` : n;
}

export function AnomaliesPage() {
  const [sp, setSp] = useSearchParam();
  const dagId = sp.get("dag") ?? "";
  const anomalies = useAnomalies(dagId ? { dagId } : {});
  const list = useMemo(() => anomalies.data?.pages.flatMap((p) => p.anomalies) ?? [], [anomalies.data]);
  return (
    <>
      <h1>Anomalies</h1>
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
              data-testid="anomalies-filter-dag"
            />
          </label>
        </div>
        {anomalies.isPending ? (
          <SkeletonRows rows={4} />
        ) : anomalies.isError ? (
          <ErrorState error={anomalies.error} onRetry={() => void anomalies.refetch()} />
        ) : list.length === 0 ? (
          <EmptyState icon={<Icon.check size={22} />} title={dagId ? `No anomalies for ${dagId}` : "No anomalies"}>
            <p className="small">
              Each successful attempt's duration and <code>ctx.metric</code> values are compared with the task's usual values; one far outside shows up here.
            </p>
          </EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="anomalies-table">
              <thead>
                <tr>
                  <th scope="col">Detected</th>
                  <th scope="col">DAG</th>
                  <th scope="col">Run</th>
                  <th scope="col">Task</th>
                  <th scope="col">Metric</th>
                  <th scope="col" className="num">
                    Value
                  </th>
                  <th scope="col" className="num">
                    Usual (median ± MAD)
                  </th>
                  <th scope="col" className="num">
                    Score
                  </th>
                  <th scope="col">Baseline</th>
                </tr>
              </thead>
              <tbody>
                {list.map((a) => (
                  <AnomalyRow key={a.id} a={a} />
                ))}
              </tbody>
            </table>
            {anomalies.hasNextPage && (
              <div className="row" style={{ justifyContent: "center", padding: 12 }}>
                <button type="button" className="btn" onClick={() => void anomalies.fetchNextPage()} disabled={anomalies.isFetchingNextPage}>
                  {anomalies.isFetchingNextPage ? "Loading…" : "Load more"}
                </button>
              </div>
            )}
          </div>
        )}
      </div>
    </>
  );
}

function AnomalyRow({ a }: { a: Anomaly }) {
  const dag = encodeURIComponent(a.dagId);
  return (
    <tr data-testid={`anomaly-row-${a.id}`}>
      <td className="nowrap">{fmtDate(a.detectedAt)}</td>
      <td>
        <Link className="link" to={`/dags/${dag}`}>
          {a.dagId}
        </Link>
      </td>
      <td>
        <Link className="link mono small" to={`/dags/${dag}/grid?run=${encodeURIComponent(a.runId)}`}>
          {a.runId}
        </Link>
      </td>
      <td className="mono small">
        {a.taskId === null ? <span className="muted">run (late)</span> : `${a.taskId}${a.mapIndex >= 0 ? `[${a.mapIndex}]` : ""} · try ${a.tryNumber}`}
      </td>
      <td>
        <code>{a.metric}</code>
      </td>
      <td className="num nowrap" data-testid="anomaly-value">
        {fmtValue(a.metric, a.value)}
      </td>
      <td className="num nowrap">
        {fmtValue(a.metric, a.baseline.median)} ± {fmtValue(a.metric, a.baseline.mad)}
      </td>
      <td className="num nowrap" data-testid="anomaly-score">
        {a.score.toFixed(1)}
      </td>
      <td className="small muted">
        {SEASONS[a.baseline.season]} · {a.baseline.points} points
      </td>
    </tr>
  );
}
