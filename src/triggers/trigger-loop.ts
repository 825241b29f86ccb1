/** One running event trigger (a folder being scanned, a broker subscription). */
export interface TriggerLoop {
  start(): void;
  /** Stops taking events; what was received but has no run yet stays unacknowledged. */
  stop(): Promise<void>;
}

/** A sleep that `wake()` ends early (so that stopping a loop is prompt). */
export class Pause {
  #end: (() => void) | null = null;

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const end = () => {
        clearTimeout(timer);
        if (this.#end === end) this.#end = null;
        resolve();
      };
      const timer = setTimeout(end, ms);
      this.#end = end;
    });
  }

  wake(): void {
    this.#end?.();
  }
}
