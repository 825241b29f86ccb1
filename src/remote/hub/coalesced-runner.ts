/**
 * Runs async work one at a time: a request while it runs makes it run once more afterwards (not
 * once per request), so bursts of wake-ups cost one pass plus one. A failure is reported to
 * `failed` and does not stop later runs.
 */
export class CoalescedRunner {
  #running: Promise<void> | null = null;
  #again = false;
  #stopped = false;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly failed: (error: unknown) => void,
  ) {}

  /** Runs the work now, or once more after the run in flight. */
  request(): void {
    if (this.#stopped) return;
    if (this.#running !== null) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = null;
    });
  }

  /** No more runs; resolves once the one in flight is done. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running;
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      try {
        await this.work();
      } catch (error) {
        this.failed(error);
      }
    } while (this.#again && !this.#stopped);
  }
}
