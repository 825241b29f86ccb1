/** The "deadline missed" mark on a run (docs/deadlines.md). */
import { Icon } from "./icons";

export function DeadlineBadge({ title = "This run, or one of its attempts, missed a deadline" }: { title?: string }) {
  return (
    <span
      className="badge"
      title={title}
      data-testid="deadline-missed-badge"
      style={{ background: "var(--warn-soft)", color: "var(--warn-fg)", borderColor: "var(--warn-border)" }}
    >
      <Icon.clock size={11} /> Deadline missed
    </span>
  );
}
