/** A backfill's runs by state: a stacked bar and its numbers in words (never colour alone). */
import type { Backfill } from "../../api/backfills";
import { StateBadge } from "../../design/state";

const SEGMENTS = ["success", "failed", "running", "queued"] as const;

export function BackfillProgress({ b }: { b: Backfill }) {
  const p = b.progress;
  const done = p.success + p.failed;
  if (p.total === 0)
    return (
      <span className="muted small" data-testid="backfill-progress">
        {b.state === "queued" ? "waiting for the scheduler to plan it" : "no runs"}
      </span>
    );
  return (
    <div className="progress" data-testid="backfill-progress" data-done={done} data-total={p.total}>
      <div className="row small" style={{ gap: 6 }}>
        <strong className="num" data-testid="backfill-done">
          {done}/{p.total}
        </strong>
        <span className="muted">runs done</span>
      </div>
      <div className="progress-bar" role="meter" aria-valuemin={0} aria-valuemax={p.total} aria-valuenow={done} aria-label={`${done} of ${p.total} runs done`}>
        {SEGMENTS.map((s) =>
          p[s] > 0 ? <span key={s} className={`seg-${s}`} style={{ width: `${(p[s] / p.total) * 100}%` }} title={`${p[s]} ${s}`} /> : null,
        )}
      </div>
      <div className="progress-legend small">
        {SEGMENTS.filter((s) => p[s] > 0).map((s) => (
          <span key={s} className="row" style={{ gap: 4 }}>
            <StateBadge state={s} label={`${p[s]} ${s}`} />
          </span>
        ))}
      </div>
    </div>
  );
}
