import type { Logger } from "../core/ports/logger.js";

/**
 * Logs a failure that a loop keeps retrying once, not at every retry (a full disk failed the
 * group commit every 200 ms, hundreds of identical lines): the first failure, and any with a
 * different message, at error level with the error itself; identical repeats are only counted;
 * the recovery once, saying how many failures it ended.
 */
export class RepeatedFailureLog {
  #message: string | null = null;
  #failures = 0;

  constructor(
    private readonly logger: Logger,
    /** What failed, e.g. "commit". */
    private readonly what: string,
  ) {}

  failed(error: unknown): void {
    this.#failures++;
    const message = error instanceof Error ? error.message : String(error);
    if (message === this.#message) return;
    this.#message = message;
    this.logger.error({ err: error, failures: this.#failures }, `${this.what} failed; will retry (the same error again is not logged until it succeeds)`);
  }

  succeeded(): void {
    if (this.#failures === 0) return;
    this.logger.info({ failures: this.#failures }, `${this.what} succeeded after ${this.#failures} failed attempt(s)`);
    this.#message = null;
    this.#failures = 0;
  }
}
