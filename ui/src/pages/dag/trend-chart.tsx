/** A small pure-SVG chart of one value per run (bars or a line), with a visually hidden table of the same numbers. */
import { useId } from "react";
import { stateLabel, stateVars } from "../../design/state";
import { fmtShort } from "../../lib/format";

export interface TrendPoint {
  runId: string;
  /** Shown under the axis and in the table (the logical date, ISO). */
  at: string | null;
  state: string;
  /** null: nothing to plot for this run (not finished, no task instance). */
  value: number | null;
}

const W = 1000,
  H = 140,
  PAD_L = 56,
  PAD_B = 22,
  PAD_T = 8;

export function TrendChart({
  title,
  kind,
  points,
  format,
  testId,
}: {
  title: string;
  kind: "bar" | "line";
  points: TrendPoint[];
  format: (v: number) => string;
  testId: string;
}) {
  const headingId = useId();
  const values = points.map((p) => p.value).filter((v): v is number => v !== null);
  const max = Math.max(1, ...values);
  const min = Math.min(0, ...values);
  const span = max - min || 1;
  const step = (W - PAD_L) / Math.max(points.length, 20);
  const y = (v: number) => PAD_T + (H - PAD_T - PAD_B) * (1 - (v - min) / span);
  const cx = (i: number) => PAD_L + i * step + step / 2;
  const plotted = points.map((p, i) => ({ p, i })).filter((d): d is { p: TrendPoint & { value: number }; i: number } => d.p.value !== null);
  const summary =
    values.length === 0
      ? "no values"
      : `${values.length} runs, lowest ${format(Math.min(...values))}, highest ${format(Math.max(...values))}, latest ${format(values[values.length - 1]!)}`;
  return (
    <figure className="card" data-testid={testId} style={{ margin: 0 }}>
      <figcaption className="card-head">
        <h3 id={headingId} style={{ fontSize: "var(--text-md)" }}>
          {title}
        </h3>
        <span className="muted small">{summary}</span>
      </figcaption>
      <div className="card-body">
        {points.length === 0 ? (
          <p className="muted small">No runs to chart yet.</p>
        ) : (
          <svg viewBox={`0 0 ${W} ${H}`} className="chart" role="img" aria-labelledby={headingId} aria-describedby={`${headingId}-table`}>
            <title>{`${title}: ${summary}`}</title>
            {[min, min + span / 2, max]
              .filter((t, i, all) => all.findIndex((u) => format(u) === format(t)) === i)
              .map((t) => (
                <g key={t}>
                  <line x1={PAD_L} x2={W} y1={y(t)} y2={y(t)} className="chart-grid" />
                  <text x={PAD_L - 6} y={y(t) + 4} textAnchor="end" className="chart-label">
                    {format(t)}
                  </text>
                </g>
              ))}
            {kind === "line" && plotted.length > 1 && (
              <polyline className="trend-line" points={plotted.map(({ p, i }) => `${cx(i)},${y(p.value)}`).join(" ")} />
            )}
            {plotted.map(({ p, i }) => {
              const label = `${p.runId} (${fmtShort(p.at)}): ${stateLabel(p.state)}, ${format(p.value)}`;
              const zero = y(Math.max(0, min));
              return (
                <g key={p.runId} style={stateVars(p.state)} className="trend-point" data-point={p.runId}>
                  <title>{label}</title>
                  {kind === "bar" ? (
                    <rect x={cx(i) - step * 0.35} y={Math.min(y(p.value), zero)} width={step * 0.7} height={Math.max(2, Math.abs(zero - y(p.value)))} rx={2} />
                  ) : (
                    <circle cx={cx(i)} cy={y(p.value)} r={4} />
                  )}
                </g>
              );
            })}
            <text x={PAD_L} y={H - 4} className="chart-label">
              {fmtShort(points[0]?.at)}
            </text>
            <text x={W} y={H - 4} textAnchor="end" className="chart-label">
              {fmtShort(points[points.length - 1]?.at)}
            </text>
          </svg>
        )}
        <table className="sr-only" id={`${headingId}-table`}>
          <caption>{title}</caption>
          <thead>
            <tr>
              <th scope="col">Run</th>
              <th scope="col">Logical date</th>
              <th scope="col">State</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {points.map((p) => (
              <tr key={p.runId}>
                <th scope="row">{p.runId}</th>
                <td>{fmtShort(p.at)}</td>
                <td>{stateLabel(p.state)}</td>
                <td>{p.value === null ? "none" : format(p.value)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </figure>
  );
}
