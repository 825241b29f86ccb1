import type { StoreAvailability, StoreAvailabilityState } from "../core/ports/store-availability.js";

const OK: StoreAvailabilityState = { status: "ok" };

/** The store adapter's side of {@link StoreAvailability}: told when waiting starts and ends. */
export class StoreAvailabilityTracker implements StoreAvailability {
  #state: StoreAvailabilityState = OK;
  readonly #listeners = new Set<(state: StoreAvailabilityState) => void>();

  /** Cheap enough for the hot path: one field read. */
  get unavailable(): boolean {
    return this.#state !== OK;
  }

  current(): StoreAvailabilityState {
    return this.#state;
  }

  subscribe(listener: (state: StoreAvailabilityState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** A statement has waited since `since`; keeps the earliest `since`, the latest error. */
  markUnavailable(since: number, error: string): void {
    const was = this.#state;
    if (was.status === "unavailable") {
      this.#state = { status: "unavailable", since: Math.min(was.since, since), error };
      return;
    }
    this.#state = { status: "unavailable", since, error };
    this.#notify();
  }

  /** A statement got through. */
  markAvailable(): void {
    if (this.#state === OK) return;
    this.#state = OK;
    this.#notify();
  }

  #notify(): void {
    for (const listener of [...this.#listeners]) listener(this.#state);
  }
}
