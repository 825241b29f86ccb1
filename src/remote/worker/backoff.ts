/**
 * Delays between reconnection tries: `firstMs` doubling to `maxMs`, each drawn at random from
 * its upper half (jitter), so many workers cut off at once do not all return at the same moment.
 */
export class Backoff {
  #step = 0;

  constructor(
    private readonly firstMs = 250,
    private readonly maxMs = 10_000,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next try (and the step it belongs to, from 1). */
  next(): { delayMs: number; step: number } {
    const ceiling = Math.min(this.maxMs, this.firstMs * 2 ** this.#step);
    this.#step++;
    return { delayMs: Math.round(ceiling / 2 + (ceiling / 2) * this.random()), step: this.#step };
  }

  /** After a successful connection: the next failure waits `firstMs` again. */
  reset(): void {
    this.#step = 0;
  }
}
