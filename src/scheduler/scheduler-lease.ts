import type { Clock } from "../core/ports/clock.js";
import type { Logger } from "../core/ports/logger.js";
import type { SchedulerLeases } from "../core/ports/scheduler-leases.js";

export interface LeaseTiming {
  /** How often this scheduler beats and looks at the others (BATON_SCHEDULER_HEARTBEAT_MS). */
  heartbeatMs: number;
  /** How long another lease's beat may stand still, on this scheduler's clock, before it is fenced (BATON_SCHEDULER_LEASE_MS). */
  leaseMs: number;
  /**
   * How often it beats while `hooks.idle()` says nothing runs; default `heartbeatMs`. Kept at or
   * under a quarter of `leaseMs` by the caller, so that three beats may be missed before a fence.
   */
  idleHeartbeatMs?: number;
}

export interface LeaseIdentity {
  id: string;
  host: string;
  pid: number;
  version: string;
}

/**
 * This scheduler's lease (docs/adr/0007): registered once under a new id, beaten every
 * `heartbeatMs` (`idleHeartbeatMs` when idle: the next beat is timed when one ends), and the watch over the other schedulers' leases. Another lease whose beat counter
 * has not moved for `leaseMs` on OUR clock (no clock of another machine is trusted) is fenced by
 * compare-and-set at the beat we saw, which hands its DAGs and pool grants back.
 *
 * When our own beat finds the lease fenced, `onFenced` is called once and nothing more is done:
 * the scheduler must stop at once. After each good beat, `onBeat` is told until when the work
 * started under this lease may run (`now + leaseMs / 2`): the workers' keep-alive.
 */
export class SchedulerLease {
  #beat = 0;
  #live = 1;
  #fenced = false;
  #stopped = false;
  #cancel: (() => void) | null = null;
  #beating: Promise<void> | null = null;
  /** Per other lease: the beat last seen and when (our clock) it was first seen at that value. */
  readonly #seen = new Map<string, { beat: number; since: number }>();

  constructor(
    private readonly store: SchedulerLeases,
    private readonly clock: Clock,
    private readonly logger: Logger,
    readonly identity: LeaseIdentity,
    readonly timing: LeaseTiming,
    private readonly hooks: { onFenced(): void; onBeat?(runUntil: number): void; onLeaseFenced?(id: string): void; idle?(): boolean },
  ) {}

  get id(): string {
    return this.identity.id;
  }

  /** Schedulers alive as last seen, this one included (at least 1). */
  get liveSchedulers(): number {
    return this.#live;
  }

  get fenced(): boolean {
    return this.#fenced;
  }

  /** Registers and beats once; then beats on a timer. */
  async start(): Promise<void> {
    const now = this.clock.now();
    await this.store.registerScheduler({ ...this.identity, startedAt: now });
    await this.beatOnce();
    this.#arm();
  }

  /** Beats and watches the others now (also what the timer does). */
  beatOnce(): Promise<void> {
    this.#beating ??= this.#beatAndWatch().finally(() => (this.#beating = null));
    return this.#beating;
  }

  /**
   * Gives the lease up (graceful stop): fenced by itself, so its DAGs and pool grants go back at
   * once instead of after `leaseMs`.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancel?.();
    if (this.#beating) await this.#beating;
    if (this.#fenced) return;
    this.#fenced = true;
    await this.store.fenceScheduler(this.id, this.#beat, this.id, this.clock.now());
  }

  #arm(): void {
    if (this.#stopped || this.#fenced) return;
    const every = this.hooks.idle?.() === true ? (this.timing.idleHeartbeatMs ?? this.timing.heartbeatMs) : this.timing.heartbeatMs;
    this.#cancel = this.clock.setTimer(every, () => {
      void this.beatOnce().finally(() => this.#arm());
    });
  }

  async #beatAndWatch(): Promise<void> {
    if (this.#fenced || this.#stopped) return;
    const now = this.clock.now();
    let ok: boolean;
    try {
      ok = await this.store.beatScheduler(this.id, now);
    } catch (err) {
      // No keep-alive for the workers this time: they stop on their own if this goes on.
      this.logger.warn({ err }, "scheduler heartbeat failed; will try again");
      return;
    }
    if (!ok) {
      this.#fenced = true;
      this.hooks.onFenced();
      return;
    }
    this.#beat++;
    this.hooks.onBeat?.(now + Math.floor(this.timing.leaseMs / 2));
    try {
      await this.#watchOthers();
    } catch (err) {
      this.logger.warn({ err }, "could not check the other schedulers' leases; will try again");
    }
  }

  async #watchOthers(): Promise<void> {
    const leases = await this.store.listSchedulerLeases();
    const now = this.clock.now();
    let live = 1;
    const current = new Set<string>();
    for (const l of leases) {
      if (l.id === this.id || l.fencedAt !== null) continue;
      current.add(l.id);
      const seen = this.#seen.get(l.id);
      if (!seen || seen.beat !== l.beat) {
        this.#seen.set(l.id, { beat: l.beat, since: now });
        live++;
        continue;
      }
      if (now - seen.since < this.timing.leaseMs) {
        live++;
        continue;
      }
      if (await this.store.fenceScheduler(l.id, l.beat, this.id, this.clock.now())) {
        this.logger.warn(
          { scheduler: l.id, host: l.host, pid: l.pid, silentMs: now - seen.since },
          "fenced a scheduler whose lease expired; its DAGs are handed back to be adopted",
        );
        this.hooks.onLeaseFenced?.(l.id);
      }
    }
    for (const id of this.#seen.keys()) if (!current.has(id)) this.#seen.delete(id);
    this.#live = live;
  }
}
