/**
 * "Why isn't it running?" on the task panel and the run panel: the server's reasons in plain
 * words (docs/explain.md), the code of each, and the facts behind it on demand.
 */
import { useExplanation, type ExplainReason } from "../../api/explain";
import { ErrorState, Skeleton } from "../../design/misc";

export function ExplainSection({ dagId, runId, taskId = null, mapIndex = -1 }: { dagId: string; runId: string; taskId?: string | null; mapIndex?: number }) {
  const q = useExplanation(dagId, runId, taskId, mapIndex);
  return (
    <section className="stack" style={{ gap: 8 }} data-testid="explain-section" aria-label="Why isn't it running?">
      <h4 className="section-title">Why isn't it running?</h4>
      {q.isPending ? (
        <Skeleton height={40} />
      ) : q.isError ? (
        <ErrorState error={q.error} onRetry={() => void q.refetch()} />
      ) : q.data.reasons.length === 0 ? (
        <p className="muted small" data-testid="explain-none">
          {q.data.running ? "It is running." : "Nothing holds it back."}
        </p>
      ) : (
        <ul className="stack" style={{ gap: 6, listStyle: "none", margin: 0, padding: 0 }}>
          {q.data.reasons.map((r, i) => (
            <ReasonItem key={`${r.code}-${i}`} reason={r} />
          ))}
        </ul>
      )}
    </section>
  );
}

function ReasonItem({ reason }: { reason: ExplainReason }) {
  const nested = reason.code === "task_waiting" && Array.isArray(reason.facts.reasons) ? (reason.facts.reasons as ExplainReason[]) : null;
  return (
    <li className="stack" style={{ gap: 4 }} data-testid="explain-reason" data-code={reason.code}>
      {nested ? (
        <>
          <span className="small">
            <code>{String(reason.facts.taskId)}</code> <span className="muted">({String(reason.facts.state)})</span>
          </span>
          <ul className="stack" style={{ gap: 4, listStyle: "none", margin: 0, paddingLeft: 12 }}>
            {nested.map((n, i) => (
              <ReasonItem key={`${n.code}-${i}`} reason={n} />
            ))}
          </ul>
        </>
      ) : (
        <>
          <span className="small">
            {reason.message}{" "}
            <span className="tag mono" title="reason code (docs/explain.md)">
              {reason.code}
            </span>
          </span>
          {Object.keys(reason.facts).length > 0 && (
            <details>
              <summary className="xs muted">Facts</summary>
              <pre className="pre">{JSON.stringify(reason.facts, null, 2)}</pre>
            </details>
          )}
        </>
      )}
    </li>
  );
}
