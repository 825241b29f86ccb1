import type { Clock } from "../core/ports/clock.js";
import type { Logger } from "../core/ports/logger.js";
import type { SchedulerLeases } from "../core/ports/scheduler-leases.js";

/** What this scheduler needs of one pool right now. */
export interface PoolNeed {
  /** Slots its running attempts occupy. */
  used: number;
  /** Slots its parked work (blocked by the pool) would occupy. */
  parked: number;
  /** The pool's slots (0 for a pool that no longer exists). */
  size: number;
}

export interface PoolGrantsDeps {
  leases: SchedulerLeases;
  schedulerId: string;
  clock: Clock;
  logger: Logger;
  /** Pools with parked work. */
  parkedPools(): Iterable<string>;
  need(pool: string): PoolNeed;
  /** The grant of `pool` grew: its parked work may run now. */
  onGrown(pool: string): void;
}

/**
 * The pool slots this scheduler may occupy when several schedulers share a database
 * (docs/adr/0007-several-active-schedulers.md, "Pools"). The dispatcher's capacity for a pool is
 * its grant. A sync asks for min(parked + in use, pool slots) of each pool with parked work and
 * gives back idle slots (held − in use) of the others. A lower grant takes effect in memory before
 * it is written, a higher one once written, so this scheduler never occupies slots another may
 * hold. Syncs run one at a time.
 */
export class PoolGrants {
  private readonly held = new Map<string, number>();
  /** Pools whose last ask got less than wanted: parking there asks again only on the next tick. */
  private readonly short = new Set<string>();
  private syncing: Promise<void> | null = null;
  private again = false;
  private cancelSoon: (() => void) | null = null;
  private stopped = false;

  constructor(private readonly deps: PoolGrantsDeps) {}

  /** The slots of `pool` this scheduler holds. */
  slots(pool: string): number {
    return this.held.get(pool) ?? 0;
  }

  /** Work for `pool` parked: ask for slots soon, unless the last ask already came back short. */
  parked(pool: string): void {
    if (this.stopped || this.cancelSoon || this.short.has(pool)) return;
    this.cancelSoon = this.deps.clock.setTimer(0, () => {
      this.cancelSoon = null;
      void this.sync(false);
    });
  }

  /** On each tick: asks for every pool with parked work (again, even if short) and gives back idle slots. */
  tick(): Promise<void> {
    return this.sync(true);
  }

  stop(): void {
    this.stopped = true;
    this.cancelSoon?.();
    this.cancelSoon = null;
  }

  private sync(tick: boolean): Promise<void> {
    if (tick) this.short.clear();
    if (this.syncing) {
      this.again = true;
      return this.syncing;
    }
    this.syncing = this.syncOnce()
      .catch((err: unknown) => this.deps.logger.warn({ err }, "pool grant request failed; retrying on the next tick"))
      .finally(() => {
        this.syncing = null;
        if (this.again && !this.stopped) {
          this.again = false;
          void this.sync(false);
        }
      });
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    const pools = new Set([...this.held.keys(), ...this.deps.parkedPools()]);
    for (const pool of pools) {
      if (this.stopped) return;
      // Read the need right before asking: work admitted meanwhile counts as in use.
      const need = this.deps.need(pool);
      const held = this.slots(pool);
      const want = Math.min(need.used + need.parked, need.size);
      if (want === held) continue;
      if (want < held) this.held.set(pool, want);
      const got = await this.deps.leases.grantPoolSlots(pool, this.deps.schedulerId, want);
      if (got === 0) this.held.delete(pool);
      else this.held.set(pool, got);
      if (got < want) this.short.add(pool);
      if (got > held) this.deps.onGrown(pool);
    }
  }
}
