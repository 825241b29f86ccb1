import type { RunRecord } from "../core/model/records.js";
import type { AttemptReport, Executor, ExecutorListener } from "../core/ports/executor.js";
import type { Clock } from "../core/ports/clock.js";
import type { Logger } from "../core/ports/logger.js";
import type { ChangeEvent, ChangeFeed } from "../core/ports/change-feed.js";
import type { CommandInbox } from "../core/ports/command-inbox.js";
import type { DatasetStore } from "../core/ports/dataset-store.js";
import type { Store } from "../core/ports/store.js";
import { tiKey } from "./active-run.js";
import { Dispatcher } from "./dispatcher.js";
import { SensorWaits } from "./sensor-waits.js";
import type { Triggerer } from "../core/ports/triggerer.js";
import { defaultSchedulerId, ensureSoleScheduler } from "./sole-scheduler.js";
import { UnitOfWork } from "./unit-of-work.js";
import { changeEventOf } from "./change-announcer.js";
import { DomainEventBus } from "./domain-event-bus.js";
import type { DomainEvent, DomainEventListener } from "../core/model/domain-events.js";
import { StateWriter } from "./state-writer.js";
import { InFlightAttempts } from "./in-flight.js";
import { DagVersions } from "./dag-versions.js";
import { runningRunPages } from "./running-runs.js";
import { RunWaiters } from "./run-waiters.js";
import type { OutputSealer } from "../core/ports/output-sealer.js";
import { TaskOutputs } from "./task-outputs.js";
import { ValueOffloader, type ValueOffloading } from "./value-offloader.js";
import { randomUUID } from "node:crypto";
import type { SchedulerLeases } from "../core/ports/scheduler-leases.js";
import { SchedulerLease } from "./scheduler-lease.js";
import { PoolGrants } from "./pool-grants.js";
import { DagOwnership } from "./dag-ownership.js";
import { noMetrics, type Metrics } from "../core/ports/metrics.js";
import { DEFAULT_TASK_QUEUED_TIMEOUT_MS } from "./queued-timeouts.js";
import type { SchedulerOptions, SchedulerState } from "./scheduler-state.js";
import { DispatchLoop } from "./dispatch-loop.js";
import { RunLifecycle } from "./run-lifecycle.js";
import { Tick } from "./tick.js";
import { releaseBeforeRecovery, type RemoteAttempts } from "./remote-release.js";

export type { SchedulerOptions } from "./scheduler-state.js";

export interface SchedulerDeps {
  store: Store;
  /** Where clear/mark/cancel requests arrive (the API, the CLI); none → no commands. */
  inbox?: CommandInbox;
  /** Dataset events and cursors; none → outlets record nothing and dataset schedules never fire. */
  datasets?: DatasetStore;
  executor: Executor;
  /** Runs deferred sensors' checks in this process; none → deferred sensors fail saying so. */
  triggerer?: Triggerer;
  /**
   * Encrypts sensitive tasks' return values at rest and opens them for downstream tasks; none →
   * a sensitive value is stored as "***" (and downstream tasks receive "***").
   */
  sealer?: OutputSealer;
  /**
   * Large return values go to this object store, only a reference to the database
   * (BATON_VALUE_STORE, docs/storage.md#large-return-values); none → every value stays in the database.
   */
  values?: ValueOffloading;
  clock: Clock;
  logger: Logger;
  options: SchedulerOptions;
  /**
   * Leases and DAG ownership shared with other schedulers on this database (docs/adr/0007):
   * with them, this scheduler holds a lease, fences its commits with it and runs only the DAGs
   * it owns. None → it runs every DAG (tests, `dags test`).
   */
  leases?: SchedulerLeases;
  /** Called once after this scheduler found its lease fenced and stopped its work: exit the process. */
  onFenced?: () => void;
  /** Told how long each loop pass and each commit took (docs/metrics.md); none → nothing recorded. */
  metrics?: Metrics;
  /**
   * The remote-attempts mailbox (docs/workers.md): runs this scheduler recovers (at start, or
   * adopted from a fenced one) have their remote attempts released first. None → no remote workers.
   */
  remoteAttempts?: RemoteAttempts;
}

/** What waits in a scheduler right now, read at scrape time (docs/metrics.md). */
export interface SchedulerGauges {
  /** Task instances ready, waiting for an executor slot. */
  ready: number;
  /** Ready task instances parked because their DAG is at `maxActiveTasks` / their pool is full. */
  parked: { dagFull: number; poolFull: number };
  /** Each pool's slots this scheduler may use: occupied by running attempts, and still open. */
  pools: { pool: string; used: number; open: number }[];
}

/**
 * Creates runs, decides which task instances may run, dispatches them within the limits
 * (executor capacity, pools, max active tasks/runs, priority) and records what happens.
 *
 * Event-driven: when an attempt finishes its downstream tasks are decided and dispatched in the
 * same turn of the event loop. State is written by a {@link UnitOfWork} in one transaction per
 * turn. The periodic tick only does time-based and external work (schedules, runs triggered
 * from the CLI, backfills, timeouts). The scheduler never runs user code: it reads DAG specs.
 * One scheduler per database (see docs/ARCHITECTURE.md).
 *
 * The parts, each in its own file, share one {@link SchedulerState}: the tick (`tick.ts`), the
 * run lifecycle (`run-lifecycle.ts`) and the dispatch loop (`dispatch-loop.ts`). This class
 * builds them and holds the scheduler's own start, stop and fencing.
 */
export class Scheduler implements ExecutorListener, ChangeFeed {
  /** Collaborators and the one copy of the mutable state, shared by the parts below. */
  private readonly s: SchedulerState;
  private readonly events: DomainEventBus;
  private readonly loop: DispatchLoop;
  private readonly life: RunLifecycle;
  private readonly tick: Tick;
  private readonly leases: SchedulerLeases | undefined;
  private readonly onFenced: (() => void) | undefined;
  private wasFenced = false;

  constructor(deps: SchedulerDeps) {
    const store = deps.store;
    const clock = deps.clock;
    const logger = deps.logger;
    const metrics: Metrics = deps.metrics ?? noMetrics;
    this.leases = deps.leases;
    this.onFenced = deps.onFenced;
    const remote = deps.remoteAttempts;
    const offloader = deps.values ? new ValueOffloader(deps.values, logger) : null;
    const outputs = new TaskOutputs(deps.sealer ?? null, offloader?.store ?? null);
    const opts: Required<SchedulerOptions> = {
      heartbeatMs: 5_000,
      schedulerId: defaultSchedulerId(),
      leaseId: "",
      version: "unknown",
      createScheduledRuns: true,
      lease: { heartbeatMs: 1_000, leaseMs: 8_000 },
      commitDelayMs: 5,
      taskQueuedTimeoutMs: DEFAULT_TASK_QUEUED_TIMEOUT_MS,
      ...deps.options,
    };
    this.events = new DomainEventBus(logger);
    const uow = new UnitOfWork(
      store,
      logger,
      clock,
      opts.commitDelayMs,
      (_c, datasetEvents, domainEvents) => {
        if (domainEvents.length > 0) this.events.publish(domainEvents);
        // Datasets were updated: dataset-scheduled DAGs may be due now, not at the next poll.
        if (datasetEvents > 0) this.wake();
      },
      deps.datasets,
      (ms, ok) => metrics.schedulerCommit(ms / 1000, ok),
    );
    if (offloader) uow.prepareWith((changes) => offloader.prepare(changes));
    const writer = new StateWriter(uow, this.events);
    const sensorWaits = new SensorWaits({
      clock,
      logger,
      writer,
      triggerer: deps.triggerer,
      logsDir: opts.logsDir,
      maxOutputBytes: opts.maxOutputBytes,
      isActive: (run) => !this.s.stopping && this.s.runs.get(run.pk) === run,
      requeue: (run, ti) => (this.loop.enqueue(run, ti), this.loop.pump()),
      afterEnd: (run, ti, now) => {
        if (ti.state === "success" && ti.mapIndex < 0) this.life.recordOutlets(run, ti.taskId, ti.tryNumber, now);
        if (ti.state === "up_for_retry" && ti.nextRetryAt !== null) this.loop.scheduleRetry(run, tiKey(ti.taskId, ti.mapIndex), ti.nextRetryAt - now);
        else this.life.ended(run, ti, now);
        this.loop.pump();
      },
    });
    const versions = new DagVersions(store);
    const dispatcher = new Dispatcher({
      // Per queue when the executor says so (local pool for "default", a window per remote queue).
      capacity: deps.executor.capacityFor ? (queue) => deps.executor.capacityFor!(queue) : deps.executor.capacity,
      maxActiveTasks: (dagId) => versions.maxActiveTasks(dagId),
      poolSlots: (pool) => (this.s.grants ? Math.min(this.s.grants.slots(pool), this.s.pools.get(pool) ?? 0) : this.s.pools.get(pool)),
    });
    this.s = {
      store,
      inbox: deps.inbox,
      datasets: deps.datasets,
      executor: deps.executor,
      clock,
      logger,
      metrics,
      opts,
      uow,
      writer,
      outputs,
      offloader,
      versions,
      dispatcher,
      inFlight: new InFlightAttempts(dispatcher, writer),
      sensorWaits,
      waiters: new RunWaiters(),
      runs: new Map(),
      dags: new Map(),
      pools: new Map(),
      ha: null,
      grants: null,
      releaseRemote: remote ? (runPks) => releaseBeforeRecovery(remote, this.leases, runPks, logger) : null,
      stopping: false,
      live: false,
    };
    this.loop = new DispatchLoop(this.s, (run, ti, now) => this.life.ended(run, ti, now));
    this.life = new RunLifecycle(this.s, this.loop, () => this.wake());
    this.tick = new Tick(this.s, this.life, this.loop);
  }

  /** Recovers runs left running by a previous process, starts the executor and the tick. */
  async start(): Promise<void> {
    const s = this.s;
    const now = s.clock.now();
    // SQLite: one scheduler per file. PostgreSQL: any number, sharing DAGs by lease (docs/adr/0007).
    const sole = !s.store.capabilities.skipLocked;
    if (sole) await ensureSoleScheduler(s.store, s.opts.schedulerId, now, 3 * s.opts.heartbeatMs);
    await s.store.heartbeat("scheduler", s.opts.schedulerId, now);
    this.tick.heartbeatWritten(now);
    if (this.leases) await this.joinSchedulers(this.leases, sole);
    await s.executor.start(this);
    await this.tick.refreshCatalog();
    if (s.ha) await this.tick.adoptDags();
    else {
      for await (const page of runningRunPages(s.store)) await this.life.recover(page);
    }
    await s.uow.flush();
    s.live = true;
    this.loop.pump();
    await this.tick.run();
  }

  /** Asks for a tick soon (a run was triggered, a DAG unpaused…). */
  wake(): void {
    this.tick.wake();
  }

  /** Calls `fn` whenever a run reaches a final state. */
  onRunFinished(fn: (run: RunRecord) => void): void {
    this.s.waiters.onAny(fn);
  }

  /** Live updates of run and task-instance states, once they are durable. */
  subscribe(listener: (event: ChangeEvent) => void): () => void {
    return this.events.subscribe((e) => {
      const change = changeEventOf(e);
      if (change) listener(change);
    });
  }

  /**
   * Calls `listener` with every task-instance, attempt and run state change, once it is durable
   * (docs/ARCHITECTURE.md, "Domain events"). Returns an unsubscribe function.
   */
  onDomainEvent(listener: DomainEventListener): () => void {
    return this.events.subscribe(listener);
  }

  /**
   * Hands events detected beside the scheduler (a missed deadline, docs/deadlines.md) to the same
   * subscribers, after their own write is durable. Never called on the hot path.
   */
  publishDomainEvents(events: readonly DomainEvent[]): void {
    this.events.publish(events);
  }

  /** Queue depths and pool slots now (read-only; O(pools + parked DAGs/pools)). */
  gauges(): SchedulerGauges {
    const d = this.s.dispatcher;
    const grants = this.s.grants;
    const pools = [...this.s.pools].map(([pool, size]) => {
      const slots = grants ? Math.min(grants.slots(pool), size) : size;
      const used = d.poolInUse(pool);
      return { pool, used, open: Math.max(0, slots - used) };
    });
    return { ready: d.ready.size, parked: d.parkedCounts(), pools };
  }

  /** Resolves with the run once it is finished (success or failed). */
  async waitForRun(runPk: number): Promise<RunRecord> {
    const done = await this.s.store.getRunById(runPk);
    if (done && (done.state === "success" || done.state === "failed") && !this.s.runs.has(runPk)) return done;
    return this.s.waiters.waitFor(runPk);
  }

  /**
   * Graceful stop: no new dispatches or runs; running attempts get `graceMs` to finish (their
   * results are recorded), then are killed. Everything is flushed before it resolves.
   */
  async stop(graceMs: number): Promise<void> {
    const s = this.s;
    this.haltTimers();
    const ticking = this.tick.running();
    if (ticking) await ticking;
    await s.executor.shutdown(graceMs);
    await s.uow.drain();
    // Hand this scheduler's DAGs and pool slots to the others at once, not after the lease time.
    await s.ha?.lease.stop();
    // Release the database for another scheduler at once.
    await s.store.heartbeat("scheduler", s.opts.schedulerId, 0);
  }

  // ── executor events (run-lifecycle.ts) ───────────────────────────────────────────────────

  started(attemptId: string, at: number, pid: number | null, worker?: string): void {
    this.life.attemptStarted(attemptId, at, pid, worker);
  }

  finished(report: AttemptReport): void {
    this.life.attemptFinished(report);
  }

  // ── several schedulers (docs/adr/0007) ───────────────────────────────────────────────────

  /** Registers this scheduler's lease; from now on every commit is fenced by it. */
  private async joinSchedulers(leases: SchedulerLeases, sole: boolean): Promise<void> {
    const [host, pid] = [this.s.opts.schedulerId.slice(0, this.s.opts.schedulerId.lastIndexOf(":")), process.pid];
    const identity = { id: this.s.opts.leaseId || `${this.s.opts.schedulerId}:${randomUUID().slice(0, 8)}`, host, pid, version: this.s.opts.version };
    // Alone on its SQLite file (nobody watches its lease to adopt its work: a new scheduler waits
    // for the heartbeat to go stale), an idle scheduler beats every lease/4 instead of every
    // heartbeat — the writes of an idle standalone (issue 13). Still 2 beats inside the workers' keep-alive.
    const timing = {
      ...this.s.opts.lease,
      ...(sole ? { idleHeartbeatMs: Math.max(this.s.opts.lease.heartbeatMs, Math.floor(this.s.opts.lease.leaseMs / 4)) } : {}),
    };
    const lease = new SchedulerLease(leases, this.s.clock, this.s.logger, identity, timing, {
      onFenced: () => this.fenced(),
      // Workers run only while the lease is renewed: a paused scheduler's workers are gone before it can be fenced.
      onBeat: () => this.s.executor.keepAlive?.(Math.floor(timing.leaseMs / 2)),
      onLeaseFenced: () => this.wake(),
      idle: () => this.s.runs.size === 0 && this.s.inFlight.size === 0,
    });
    if (sole) {
      // The heartbeat check passed: any lease left unfenced on this file belongs to a dead scheduler.
      for (const l of await leases.listSchedulerLeases()) {
        if (l.fencedAt === null) await leases.fenceScheduler(l.id, l.beat, identity.id, this.s.clock.now());
      }
    }
    await lease.start();
    this.s.uow.fenceWith({ schedulerId: lease.id }, () => this.fenced());
    this.s.ha = { lease, ownership: new DagOwnership(leases, lease.id, sole) };
    if (!sole) this.s.grants = this.poolGrants(leases, lease.id);
    this.s.logger.info({ scheduler: lease.id, ...timing }, "scheduler lease registered");
  }

  /** Several schedulers: the dispatcher runs pooled work only on slots granted to this one. */
  private poolGrants(leases: SchedulerLeases, schedulerId: string): PoolGrants {
    const d = this.s.dispatcher;
    return new PoolGrants({
      leases,
      schedulerId,
      clock: this.s.clock,
      logger: this.s.logger,
      parkedPools: () => d.parkedPools(),
      need: (pool) => {
        let parked = 0;
        for (const item of d.parkedIn(pool)) parked += this.s.runs.get(item.runPk)?.tis.get(item.taskId)?.poolSlots ?? 0;
        return { used: d.poolInUse(pool), parked, size: this.s.pools.get(pool) ?? 0 };
      },
      onGrown: (pool) => {
        d.unparkPool(pool);
        this.loop.pump();
      },
    });
  }

  /** No more ticks, retries, sensor pokes or pool-grant requests: the first step of any stop. */
  private haltTimers(): void {
    this.s.stopping = true;
    this.tick.cancel();
    this.loop.cancelRetries();
    this.s.sensorWaits.stop();
    this.s.grants?.stop();
  }

  /** Our lease was fenced: another scheduler adopted our work. Stop at once, write nothing more. */
  private fenced(): void {
    if (this.wasFenced) return;
    this.wasFenced = true;
    this.s.logger.error({ scheduler: this.s.ha?.lease.id }, "fenced: another scheduler adopted my work; exiting");
    this.haltTimers();
    this.s.runs.clear();
    void this.s.executor.shutdown(0).finally(() => this.onFenced?.());
  }
}
