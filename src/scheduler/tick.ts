import type { DagRecord, RunRecord } from "../core/model/records.js";
import { planBackfills } from "./backfill-planner.js";
import { applyCommand } from "./run-commands.js";
import { createDatasetRuns } from "./dataset-runs.js";
import { createDueRuns } from "./scheduled-runs.js";
import { runsToStart } from "./queued-runs.js";
import type { DispatchLoop } from "./dispatch-loop.js";
import type { RunLifecycle } from "./run-lifecycle.js";
import type { SchedulerState } from "./scheduler-state.js";
import { QueuedTimeouts } from "./queued-timeouts.js";

/**
 * The tick: time-based and external work, every `pollMs` or sooner when woken. Heartbeat, the
 * catalog (DAGs, pools, latest versions), DAG adoption, pool grants, schedules and dataset
 * schedules, backfills, commands, queued runs promoted within max active runs, run timeouts and
 * depends_on_past checks left blocked, attempts stuck in queued. One tick at a time; a wake
 * during one asks for another.
 */
export class Tick {
  private ticking: Promise<void> | null = null;
  private tickAgain = false;
  private cancelTick: (() => void) | null = null;
  private lastHeartbeat = 0;
  /** DAGs owned whose running runs could not be loaded yet (store error): adopted on the next tick. */
  private readonly unadopted = new Set<string>();
  /** Attempts handed out but not started within the task queued timeout. */
  private readonly queuedTimeouts: QueuedTimeouts;

  constructor(
    private readonly s: SchedulerState,
    private readonly life: RunLifecycle,
    private readonly loop: DispatchLoop,
  ) {
    const timeoutMs = s.opts.taskQueuedTimeoutMs;
    this.queuedTimeouts = new QueuedTimeouts({
      clock: s.clock,
      inFlight: s.inFlight,
      runs: s.runs,
      timeoutMs,
      stuck: (stuck) => {
        if (this.s.stopping) return;
        this.life.attemptStuckInQueued(stuck, timeoutMs).catch((err: unknown) => {
          this.queuedTimeouts.again(stuck);
          this.s.logger.warn({ err, taskId: stuck.attempt.taskId }, "could not take back an attempt stuck in queued; trying again on the next tick");
        });
      },
    });
  }

  /** The scheduler heartbeat was written at `now` (at start): the next is due `heartbeatMs` later. */
  heartbeatWritten(now: number): void {
    this.lastHeartbeat = now;
  }

  /** No more ticks (the one running, if any, ends; see {@link running}). */
  cancel(): void {
    this.cancelTick?.();
    this.queuedTimeouts.cancel();
  }

  /** The tick running now, if any (it never rejects). */
  running(): Promise<void> | null {
    return this.ticking;
  }

  /** Asks for a tick soon (a run was triggered, a DAG unpaused…). */
  wake(): void {
    if (!this.s.live || this.s.stopping) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.cancelTick?.();
    this.cancelTick = this.s.clock.setTimer(0, () => void this.run());
  }

  /** Runs a tick now (or once more after the one running). */
  run(): Promise<void> {
    if (this.ticking) {
      this.tickAgain = true;
      return this.ticking;
    }
    this.cancelTick?.();
    const startedAt = this.s.clock.now();
    this.ticking = this.tickOnce()
      .then(() => this.s.metrics.schedulerLoop((this.s.clock.now() - startedAt) / 1000))
      .catch((error: unknown) => this.s.logger.error({ err: error }, "scheduler tick failed"))
      .finally(() => {
        this.ticking = null;
        if (this.s.stopping) return;
        const again = this.tickAgain;
        this.tickAgain = false;
        this.cancelTick = this.s.clock.setTimer(again ? 0 : this.s.opts.pollMs, () => void this.run());
      });
    return this.ticking;
  }

  private async tickOnce(): Promise<void> {
    if (this.s.stopping) return;
    const now = this.s.clock.now();
    if (now - this.lastHeartbeat >= this.s.opts.heartbeatMs) {
      this.lastHeartbeat = now;
      await this.s.store.heartbeat("scheduler", this.s.opts.schedulerId, now);
    }
    await this.refreshCatalog();
    await this.adoptDags();
    await this.s.grants?.tick();
    const mine = this.ownedDags();
    if (this.s.opts.createScheduledRuns) {
      await createDueRuns({ store: this.s.store, uow: this.s.uow, dags: mine, version: (h) => this.s.versions.get(h), now });
      if (this.s.datasets) {
        await createDatasetRuns({
          store: this.s.store,
          datasets: this.s.datasets,
          dags: mine,
          version: (h) => this.s.versions.get(h),
          logger: this.s.logger,
          now,
        });
      }
    }
    await planBackfills({ store: this.s.store, writer: this.s.writer, version: (h) => this.s.versions.get(h), isActive: (pk) => this.s.runs.has(pk), now });
    await this.s.uow.flush();
    await this.applyCommands();
    await this.s.uow.flush();
    await this.promoteQueuedRuns(now);
    this.life.checkRunTimeouts(now);
    this.queuedTimeouts.sweep();
    for (const run of this.s.runs.values()) for (const t of run.blocked) this.life.checkPastSafely(run, t);
    this.loop.pump();
  }

  async refreshCatalog(): Promise<void> {
    this.s.dags = new Map((await this.s.store.listDags()).map((d) => [d.dagId, d]));
    const pools = new Map((await this.s.store.listPools()).map((p) => [p.name, p.slots]));
    const changed = pools.size !== this.s.pools.size || [...pools].some(([k, v]) => this.s.pools.get(k) !== v);
    this.s.pools = pools;
    if (changed) this.s.dispatcher.unparkAll();
    await this.s.versions.refreshLatest(this.s.dags);
  }

  /**
   * Claims or gives back DAGs towards a fair share; loads the running runs of DAGs newly owned
   * (recovery rules, after their remote attempts are released). A DAG whose adoption failed
   * (store error) is adopted again on the next tick.
   */
  async adoptDags(): Promise<void> {
    const ha = this.s.ha;
    if (!ha || this.s.stopping) return;
    const busy = new Set([...this.s.runs.values()].map((r) => r.dagId));
    if (this.s.uow.pending) await this.s.uow.flush();
    const newlyOwned = await ha.ownership.rebalance(this.s.dags.size, ha.lease.liveSchedulers, (d) => busy.has(d));
    const adopted = [...new Set([...this.unadopted, ...newlyOwned])].filter((d) => ha.ownership.owns(d));
    this.unadopted.clear();
    if (adopted.length === 0) return;
    try {
      const running = new Map<string, RunRecord[]>();
      for (const dagId of adopted) running.set(dagId, await this.s.store.listRuns({ dagId, states: ["running"], limit: 1_000_000 }));
      await this.life.recover([...running.values()].flat());
      for (const [dagId, runs] of running) this.s.logger.info({ dagId, runs: runs.length }, "DAG adopted");
    } catch (err) {
      for (const d of adopted) this.unadopted.add(d);
      this.s.logger.warn({ err, dags: adopted.length }, "could not adopt DAGs' running runs; trying again on the next tick");
    }
  }

  /** The DAGs this scheduler creates and starts runs for: those it owns (all without leases). */
  private ownedDags(): Map<string, DagRecord> {
    const ha = this.s.ha;
    if (!ha) return this.s.dags;
    return new Map([...this.s.dags].filter(([id]) => ha.ownership.owns(id)));
  }

  /** Moves queued runs to running in order, within max active runs, unless the DAG is paused. */
  private async promoteQueuedRuns(now: number): Promise<void> {
    const start = await runsToStart({
      store: this.s.store,
      dags: this.ownedDags(),
      active: [...this.s.runs.values()].map((r) => r.run),
      maxActiveRuns: async (hash) => (await this.s.versions.get(hash))?.version.spec.maxActiveRuns ?? 16,
      now,
    });
    for (const run of start) {
      // Ended here but not yet durable (commits failing): the store still says "queued".
      if (this.s.uow.hasUnwrittenRun(run.id)) continue;
      await this.life.activate({ ...run, state: "running", startedAt: now }, false);
    }
  }

  /** Applies pending clear/mark/cancel requests, oldest first. */
  private async applyCommands(): Promise<void> {
    if (!this.s.inbox) return;
    for (const cmd of await this.s.inbox.listPendingCommands(100)) {
      // A command about a run goes to the owner of its DAG; it stays pending for it.
      if (this.s.ha && "dagId" in cmd.payload && !this.s.ha.ownership.owns(cmd.payload.dagId)) continue;
      const result = await applyCommand(this.life.commandHost, cmd);
      await this.s.uow.flush();
      await this.s.inbox.completeCommand(cmd.id, result, this.s.clock.now());
      this.s.logger.info({ command: cmd.kind, id: cmd.id, by: cmd.requestedBy, result }, "command applied");
    }
  }
}
