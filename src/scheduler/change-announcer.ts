import type { ChangeEvent } from "../core/ports/change-feed.js";
import type { ChangeSet } from "../core/ports/store.js";

type RunKey = { dagId: string; runId: string };

/**
 * Turns committed change sets into the live events of the change feed (run and task-instance
 * states), naming runs by DAG and run id.
 */
export class ChangeAnnouncer {
  private readonly listeners = new Set<(e: ChangeEvent) => void>();
  /** DAG and run ids of runs whose changes may still be announced. */
  private readonly keys = new Map<number, RunKey>();

  /** @param lookup the ids of a run the scheduler holds, for task changes of runs not remembered. */
  constructor(private readonly lookup: (runPk: number) => RunKey | undefined) {}

  subscribe(listener: (event: ChangeEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Remembers a run's ids (when it is loaded), so that its changes can be announced. */
  remember(runPk: number, key: RunKey): void {
    this.keys.set(runPk, key);
  }

  announce(changes: ChangeSet): void {
    const listeners = [...this.listeners];
    if (listeners.length > 0) {
      for (const t of changes.taskInstances ?? []) {
        const key = this.keys.get(t.runPk) ?? this.lookup(t.runPk);
        if (key) for (const l of listeners) l({ kind: "task", ...key, taskId: t.taskId, state: t.state });
      }
    }
    for (const r of changes.runs ?? []) {
      const key = this.keys.get(r.id);
      if (key && r.state) for (const l of listeners) l({ kind: "run", ...key, state: r.state });
      if (r.state === "success" || r.state === "failed") this.keys.delete(r.id);
    }
  }
}
