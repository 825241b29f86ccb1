import type { DomainEvent, DomainEventListener } from "../core/model/domain-events.js";
import type { Logger } from "../core/ports/logger.js";

/**
 * Hands committed domain events to their subscribers, in order. A subscriber that throws is
 * logged and skipped: it never stops the others, the commit or the scheduler.
 */
export class DomainEventBus {
  #listeners: DomainEventListener[] = [];

  constructor(private readonly logger: Logger) {}

  /** True while someone listens: without listeners, no event is built. */
  get active(): boolean {
    return this.#listeners.length > 0;
  }

  /** Returns an unsubscribe function. */
  subscribe(listener: DomainEventListener): () => void {
    this.#listeners = [...this.#listeners, listener];
    return () => {
      this.#listeners = this.#listeners.filter((l) => l !== listener);
    };
  }

  publish(events: readonly DomainEvent[]): void {
    const listeners = this.#listeners;
    for (const event of events) {
      for (const listener of listeners) {
        try {
          listener(event);
        } catch (err) {
          this.logger.error({ err, event: event.kind, dagId: event.dagId, runId: event.runId }, "domain event subscriber failed; ignored");
        }
      }
    }
  }
}
