/**
 * Task and run states: one colour, one glyph and one label each, so that a state is never
 * conveyed by colour alone. The palette lives in tokens.css (`--st-<state>…`).
 */
import { memo, type CSSProperties, type ReactNode } from "react";
import { Icon } from "./icons";

export type AnyState =
  | "none"
  | "scheduled"
  | "queued"
  | "running"
  | "up_for_retry"
  | "up_for_reschedule"
  | "deferred"
  | "success"
  | "failed"
  | "skipped"
  | "upstream_failed"
  | "removed";

export const STATE_LABEL: Record<AnyState, string> = {
  none: "No status",
  scheduled: "Scheduled",
  queued: "Queued",
  running: "Running",
  up_for_retry: "Up for retry",
  up_for_reschedule: "Up for reschedule",
  deferred: "Deferred",
  success: "Success",
  failed: "Failed",
  skipped: "Skipped",
  upstream_failed: "Upstream failed",
  removed: "Removed",
};

export const STATE_ORDER: AnyState[] = [
  "success",
  "failed",
  "running",
  "queued",
  "scheduled",
  "up_for_retry",
  "up_for_reschedule",
  "deferred",
  "skipped",
  "upstream_failed",
  "removed",
  "none",
];

export function stateLabel(state: string | null | undefined): string {
  return STATE_LABEL[(state ?? "none") as AnyState] ?? String(state);
}

export function StateGlyph({ state, size = 10 }: { state: string; size?: number }): ReactNode {
  const p = { size, strokeWidth: 2.4 };
  switch (state) {
    case "success":
      return <Icon.check {...p} />;
    case "failed":
      return <Icon.cross {...p} />;
    case "running":
      return <Icon.play {...p} className="running-anim" strokeWidth={1} />;
    case "queued":
      return <Icon.hourglass {...p} strokeWidth={1.8} />;
    case "scheduled":
      return <Icon.clock {...p} />;
    case "up_for_retry":
      return <Icon.retry {...p} />;
    case "up_for_reschedule":
      return <Icon.calendar {...p} strokeWidth={1.8} />;
    case "deferred":
      return <Icon.pause {...p} />;
    case "skipped":
      return <Icon.skip {...p} />;
    case "upstream_failed":
      return <Icon.upstreamFailed {...p} />;
    case "removed":
      return <Icon.minus {...p} />;
    default:
      return <Icon.dot {...p} />;
  }
}

/** CSS variables for a state's fill, glyph colour, soft background and text colour. */
export function stateVars(state: string): CSSProperties {
  const s = STATE_LABEL[state as AnyState] ? state : "none";
  return {
    "--st-fill": `var(--st-${s})`,
    "--st-fg": `var(--st-${s}-fg)`,
    "--st-soft": `var(--st-${s}-soft)`,
    "--st-text": `var(--st-${s}-text)`,
  } as CSSProperties;
}

export const StateBadge = memo(function StateBadge({ state, label }: { state: string; label?: string }) {
  return (
    <span className="state" data-state={state} style={stateVars(state)}>
      <span className="state-icon">
        <StateGlyph state={state} />
      </span>
      {label ?? stateLabel(state)}
    </span>
  );
});

/** The legend under the grid: every state with its glyph and label. */
export function StateLegend() {
  return (
    <div className="row-wrap small" aria-label="State legend">
      {STATE_ORDER.map((s) => (
        <StateBadge key={s} state={s} />
      ))}
    </div>
  );
}
