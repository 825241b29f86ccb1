import type { DomainEvent } from "../core/model/domain-events.js";
import type { ChangeEvent } from "../core/ports/change-feed.js";

/**
 * The change feed's view of a domain event (the API's live updates): a run's or a task's new
 * state. Attempt changes are not announced (the task instance's change is).
 */
export function changeEventOf(e: DomainEvent): ChangeEvent | null {
  if (e.kind === "run_state_changed") return { kind: "run", dagId: e.dagId, runId: e.runId, state: e.after };
  if (e.kind === "task_instance_state_changed") return { kind: "task", dagId: e.dagId, runId: e.runId, taskId: e.taskId, state: e.after };
  return null;
}
