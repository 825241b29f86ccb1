/** GitHub-contribution-style calendar: one cell per local day of the DAG's time zone over the last year, coloured by its runs' outcomes. */
import { useMemo } from "react";
import type { TrendDay } from "../../api/trends";

const DAY_MS = 86_400_000;
const CELL = 12,
  GAP = 3,
  PAD_L = 28,
  PAD_T = 16;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

export type Outcome = "success" | "failed" | "mixed" | "running" | "none";

export function outcomeOf(d: TrendDay | undefined): Outcome {
  if (!d) return "none";
  if (d.failed > 0) return d.success > 0 ? "mixed" : "failed";
  if (d.success > 0) return "success";
  return d.other > 0 ? "running" : "none";
}

const LABEL: Record<Outcome, string> = { success: "all succeeded", failed: "failed", mixed: "some failed", running: "running or queued", none: "no runs" };

function describe(date: string, d: TrendDay | undefined): string {
  if (!d) return `${date}: no runs`;
  const parts = [d.success && `${d.success} succeeded`, d.failed && `${d.failed} failed`, d.other && `${d.other} running or queued`].filter(Boolean);
  return `${date}: ${parts.join(", ")}`;
}

/** Days from `firstDay` to `today` (YYYY-MM-DD, the DAG's local days): calendar arithmetic on dates, no time zone involved. */
export function CalendarHeatmap({ firstDay, today, timeZone, days }: { firstDay: string; today: string; timeZone: string; days: TrendDay[] }) {
  const cells = useMemo(() => {
    const byDate = new Map(days.map((d) => [d.date, d]));
    const first = Date.parse(`${firstDay}T00:00:00Z`);
    const count = Math.round((Date.parse(`${today}T00:00:00Z`) - first) / DAY_MS) + 1;
    const offset = new Date(first).getUTCDay(); // weeks start on Sunday
    return Array.from({ length: Math.max(0, count) }, (_, i) => {
      const ms = first + i * DAY_MS;
      const date = new Date(ms).toISOString().slice(0, 10);
      const d = byDate.get(date);
      return { date, ms, week: Math.floor((i + offset) / 7), dow: (i + offset) % 7, day: d, outcome: outcomeOf(d) };
    });
  }, [firstDay, today, days]);
  const weeks = (cells[cells.length - 1]?.week ?? 0) + 1;
  const W = PAD_L + weeks * (CELL + GAP) + 16,
    H = PAD_T + 7 * (CELL + GAP);
  const tally = cells.reduce<Record<Outcome, number>>((t, c) => ({ ...t, [c.outcome]: t[c.outcome] + 1 }), {
    success: 0,
    failed: 0,
    mixed: 0,
    running: 0,
    none: 0,
  });
  const summary = `${cells.length - tally.none} of ${cells.length} days had runs: ${tally.success} all succeeded, ${tally.failed} failed, ${tally.mixed} some failed.`;
  return (
    <figure className="card" style={{ margin: 0 }} data-testid="trends-heatmap">
      <figcaption className="card-head">
        <h3 style={{ fontSize: "var(--text-md)" }}>Daily outcomes</h3>
        <span className="muted small" data-testid="trends-heatmap-zone">
          last year, days in {timeZone} by logical date
        </span>
      </figcaption>
      <div className="card-body" style={{ overflowX: "auto" }}>
        <svg
          viewBox={`0 0 ${W} ${H}`}
          className="chart heatmap"
          role="img"
          aria-label={`Daily run outcomes over the last year. ${summary}`}
          style={{ minWidth: W * 0.8 }}
        >
          {cells
            .filter((c) => new Date(c.ms).getUTCDate() === 1)
            .map((c) => (
              <text key={c.date} x={PAD_L + c.week * (CELL + GAP)} y={PAD_T - 5} className="chart-label">
                {MONTHS[new Date(c.ms).getUTCMonth()]}
              </text>
            ))}
          {["Mon", "Wed", "Fri"].map((l, i) => (
            <text key={l} x={0} y={PAD_T + (1 + 2 * i) * (CELL + GAP) + CELL - 2} className="chart-label">
              {l}
            </text>
          ))}
          {cells.map((c) => (
            <rect
              key={c.date}
              className={`heat-cell heat-${c.outcome}`}
              data-date={c.date}
              data-outcome={c.outcome}
              x={PAD_L + c.week * (CELL + GAP)}
              y={PAD_T + c.dow * (CELL + GAP)}
              width={CELL}
              height={CELL}
              rx={2}
            >
              <title>{describe(c.date, c.day)}</title>
            </rect>
          ))}
        </svg>
        <div className="row small muted" style={{ gap: 12, marginTop: 8 }} aria-hidden="true">
          {(["success", "mixed", "failed", "running", "none"] as const).map((o) => (
            <span key={o} className="row" style={{ gap: 4 }}>
              <svg width={CELL} height={CELL}>
                <rect className={`heat-cell heat-${o}`} width={CELL} height={CELL} rx={2} />
              </svg>
              {LABEL[o]}
            </span>
          ))}
        </div>
        <p className="sr-only">
          {summary} Days with failures:{" "}
          {cells
            .filter((c) => c.outcome === "failed" || c.outcome === "mixed")
            .map((c) => describe(c.date, c.day))
            .join("; ") || "none"}
          .
        </p>
      </div>
    </figure>
  );
}
