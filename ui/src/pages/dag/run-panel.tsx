/** Side panel for one run (opened from a grid column header): summary, conf and run actions. */
import { useEffect } from "react";
import { useRun, useTaskInstances } from "../../api/queries";
import { Icon } from "../../design/icons";
import { ErrorState, Skeleton } from "../../design/misc";
import { StateBadge } from "../../design/state";
import { deadlineMissed } from "../../api/deadlines";
import { DeadlineBadge } from "../../design/deadline-badge";
import { fmtDate, fmtDuration, spanMs } from "../../lib/format";
import { Link } from "../../router";
import { ExplainSection } from "./explain-section";
import { isNotFound, NotFoundPage } from "../not-found-page";
import { RunActions } from "./run-actions";

export function RunPanel({ dagId, runId, onClose }: { dagId: string; runId: string; onClose: () => void }) {
  const run = useRun(dagId, runId);
  const tis = useTaskInstances(dagId, runId);
  const failedTasks = tis.data?.some((t) => t.state === "failed" || t.state === "upstream_failed");
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape" && !document.querySelector("[role=dialog],[role=alertdialog]")) onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);
  const r = run.data;
  const q = `?run=${encodeURIComponent(runId)}`;
  const base = `/dags/${encodeURIComponent(dagId)}`;
  return (
    <aside className="card side-panel" aria-label={`Run ${runId}`} data-testid="run-panel">
      <div className="card-head">
        <div className="stack" style={{ gap: 2, minWidth: 0 }}>
          <span className="section-title">Run</span>
          <h3 className="truncate mono" title={runId}>
            {runId}
          </h3>
        </div>
        <span className="spacer" />
        {r && <StateBadge state={r.state} />}
        {r && deadlineMissed(r) && (
          <Link to={`/deadlines?dag=${encodeURIComponent(dagId)}`}>
            <DeadlineBadge />
          </Link>
        )}
        <button type="button" className="btn btn-ghost btn-icon" onClick={onClose} aria-label="Close run panel (Esc)">
          <Icon.close />
        </button>
      </div>
      <div className="side-body">
        {run.isPending ? (
          <Skeleton height={160} />
        ) : run.isError ? (
          isNotFound(run.error) ? (
            <NotFoundPage missing={{ kind: "run", dagId, runId }} />
          ) : (
            <ErrorState error={run.error} onRetry={() => void run.refetch()} />
          )
        ) : (
          r && (
            <>
              <RunActions dagId={dagId} runId={runId} state={r.state} compact failedTasks={failedTasks} />
              <dl className="kv">
                <dt>Type</dt>
                <dd>
                  {r.runType}
                  {r.backfillId ? ` (backfill ${r.backfillId})` : ""}
                </dd>
                <dt>Logical date</dt>
                <dd>{fmtDate(r.logicalDate)}</dd>
                <dt>Data interval</dt>
                <dd>{r.dataIntervalStart ? `${fmtDate(r.dataIntervalStart)} → ${fmtDate(r.dataIntervalEnd)}` : "—"}</dd>
                <dt>Created</dt>
                <dd>{fmtDate(r.createdAt)}</dd>
                <dt>Started</dt>
                <dd>{fmtDate(r.startedAt)}</dd>
                <dt>Ended</dt>
                <dd>{fmtDate(r.endedAt)}</dd>
                <dt>Duration</dt>
                <dd>{fmtDuration(r.durationMs ?? spanMs(r.startedAt, r.endedAt))}</dd>
                <dt>DAG version</dt>
                <dd>
                  <Link className="link mono" to={`${base}/code${q}`}>
                    {r.dagVersion.slice(0, 12)}
                  </Link>
                </dd>
                {r.note && (
                  <>
                    <dt>Note</dt>
                    <dd>{r.note}</dd>
                  </>
                )}
              </dl>
              <ExplainSection dagId={dagId} runId={runId} />
              <div className="row-wrap">
                <Link className="btn btn-sm" to={`${base}/graph${q}`}>
                  Graph
                </Link>
                <Link className="btn btn-sm" to={`${base}/gantt${q}`}>
                  Gantt
                </Link>
              </div>
              <section className="stack" style={{ gap: 8 }}>
                <h4 className="section-title">Conf</h4>
                <pre className="pre">{JSON.stringify(r.conf ?? {}, null, 2)}</pre>
              </section>
            </>
          )
        )}
      </div>
    </aside>
  );
}
