/**
 * Wake-ups between the two ends of the remote-attempts mailbox (WorkerStore): a scheduler
 * tells the API servers "new or cancelled attempts" (`"hub"`), an API server tells a scheduler
 * "outcomes for you" (its scheduler id). A signal carries no data and may be lost or repeated:
 * each end also polls (docs/adr/0008-remote-workers.md). In one process it is a direct call; on
 * PostgreSQL, LISTEN/NOTIFY reaches the other processes.
 */
export interface RemoteSignal {
  notify(target: string): void;
  /** Calls `fn` on each signal to `target`; returns the unsubscribe function. */
  subscribe(target: string, fn: () => void): () => void;
  /** True when signals reach other processes (then each end polls slowly; otherwise fast). */
  readonly crossProcess: boolean;
  close(): Promise<void>;
}

export const HUB_TARGET = "hub";
/** To the API servers: stops were asked for (cancels); HUB_TARGET is for new or requeued attempts. */
export const HUB_CANCEL_TARGET = "hub:cancel";

/** A signal within one process. */
export class InProcessRemoteSignal implements RemoteSignal {
  readonly crossProcess = false;
  readonly #subscribers = new Map<string, Set<() => void>>();

  notify(target: string): void {
    for (const fn of this.#subscribers.get(target) ?? []) fn();
  }

  subscribe(target: string, fn: () => void): () => void {
    let set = this.#subscribers.get(target);
    if (set === undefined) this.#subscribers.set(target, (set = new Set()));
    set.add(fn);
    return () => set.delete(fn);
  }

  async close(): Promise<void> {
    this.#subscribers.clear();
  }
}
