import type { RunState, TaskState } from "../model/states.js";

/** Something changed that a watching UI may want to refetch. */
export type ChangeEvent =
  | { kind: "run"; dagId: string; runId: string; state: RunState }
  | { kind: "task"; dagId: string; runId: string; taskId: string; state: TaskState }
  | { kind: "dag"; dagId: string };

/**
 * Where live updates come from: the scheduler itself when it runs in the same process
 * (standalone), or a poll of the store (a separate `baton api`).
 */
export interface ChangeFeed {
  /** Returns an unsubscribe function. */
  subscribe(listener: (event: ChangeEvent) => void): () => void;
}
