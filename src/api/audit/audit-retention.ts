import type { Clock } from "../../core/ports/clock.js";
import type { AuditLog } from "../../core/ports/audit-log.js";

export const DAY_MS = 86_400_000;
/** How often entries past the retention are deleted. */
export const PRUNE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Deletes audit entries older than `days` days: once at start, then every hour, on the Clock
 * (tests jump it). `days` 0 keeps entries forever. A failed prune is reported and tried again at
 * the next interval.
 */
export class AuditRetention {
  #cancel: (() => void) | null = null;
  #stopped = false;

  constructor(
    private readonly audit: Pick<AuditLog, "pruneAudit">,
    private readonly clock: Clock,
    readonly days: number,
    private readonly onError: (error: unknown) => void,
    private readonly intervalMs = PRUNE_INTERVAL_MS,
  ) {}

  start(): void {
    if (this.days <= 0) return;
    void this.#tick();
  }

  stop(): void {
    this.#stopped = true;
    this.#cancel?.();
    this.#cancel = null;
  }

  /** Deletes what is past the retention now; returns how many entries. */
  async pruneNow(): Promise<number> {
    return this.audit.pruneAudit(this.clock.now() - this.days * DAY_MS);
  }

  async #tick(): Promise<void> {
    try {
      await this.pruneNow();
    } catch (error) {
      this.onError(error);
    }
    if (!this.#stopped) this.#cancel = this.clock.setTimer(this.intervalMs, () => void this.#tick());
  }
}
