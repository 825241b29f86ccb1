import type { RunRecord } from "../core/model/records.js";

/** Who waits for runs to finish: listeners of every run, and promises for one run. */
export class RunWaiters {
  private readonly listeners: ((run: RunRecord) => void)[] = [];
  private readonly waiting = new Map<number, ((run: RunRecord) => void)[]>();

  onAny(fn: (run: RunRecord) => void): void {
    this.listeners.push(fn);
  }

  /** Resolves when {@link finished} is called for run `runPk`. */
  waitFor(runPk: number): Promise<RunRecord> {
    return new Promise((resolve) => {
      const list = this.waiting.get(runPk) ?? [];
      list.push(resolve);
      this.waiting.set(runPk, list);
    });
  }

  /** A run ended and that is durable. */
  finished(run: RunRecord): void {
    for (const fn of this.listeners) fn(run);
    for (const w of this.waiting.get(run.id) ?? []) w(run);
    this.waiting.delete(run.id);
  }
}
