import type { DagRecord, RunRecord, TaskInstanceRecord } from "../core/model/records.js";
import { resolveParams } from "../core/params/resolve-params.js";
import type { Clock } from "../core/ports/clock.js";
import type { AttemptReport, AttemptRequest, Executor, ExecutorListener } from "../core/ports/executor.js";
import type { Logger } from "../core/ports/logger.js";
import type { ChangeEvent, ChangeFeed } from "../core/ports/change-feed.js";
import type { CommandInbox } from "../core/ports/command-inbox.js";
import type { DatasetStore } from "../core/ports/dataset-store.js";
import type { ChangeSet, Store } from "../core/ports/store.js";
import { decideTasks } from "../core/scheduling/decide-tasks.js";
import { runOutcome } from "../core/scheduling/run-outcome.js";
import { ActiveRun, tiKey } from "./active-run.js";
import { expandMappedTask, mapOf, settleMappedTask } from "./mapped-tasks.js";
import { buildAttemptRequest } from "./attempt-request.js";
import { planBackfills } from "./backfill-planner.js";
import { Dispatcher, type Claim } from "./dispatcher.js";
import { applyOutcome } from "./apply-outcome.js";
import { recoverRun } from "./recovery.js";
import { SensorWaits } from "./sensor-waits.js";
import type { Triggerer } from "../core/ports/triggerer.js";
import { applyCommand, endLiveRun, type CommandHost } from "./run-commands.js";
import { createDatasetRuns } from "./dataset-runs.js";
import { createDueRuns } from "./scheduled-runs.js";
import { defaultSchedulerId, ensureSoleScheduler } from "./sole-scheduler.js";
import { UnitOfWork } from "./unit-of-work.js";
import { changeEventOf } from "./change-announcer.js";
import { DomainEventBus } from "./domain-event-bus.js";
import type { DomainEvent } from "../core/model/domain-events.js";
import { StateWriter } from "./state-writer.js";
import { InFlightAttempts } from "./in-flight.js";
import type { ChangeCause, DomainEventListener } from "../core/model/domain-events.js";
import { runsToStart } from "./queued-runs.js";
import { DagVersions, type LoadedVersion } from "./dag-versions.js";
import { runningRunPages } from "./running-runs.js";
import { pastAllows } from "./depends-on-past.js";
import { RunWaiters } from "./run-waiters.js";
import type { OutputSealer } from "../core/ports/output-sealer.js";
import { TaskOutputs, UnreadableOutputError } from "./task-outputs.js";
import { randomUUID } from "node:crypto";
import type { SchedulerLeases } from "../core/ports/scheduler-leases.js";
import { SchedulerLease, type LeaseTiming } from "./scheduler-lease.js";
import { PoolGrants } from "./pool-grants.js";
import { DagOwnership } from "./dag-ownership.js";
import { noMetrics, type Metrics } from "../core/ports/metrics.js";

export interface SchedulerOptions {
  logsDir: string;
  maxOutputBytes: number;
  /** How often to look for due schedules, new runs and backfills (ms). */
  pollMs: number;
  heartbeatMs?: number;
  /** Group-commit window (ms) on the clock; 0 commits on the next turn of the event loop. Default 5. */
  commitDelayMs?: number;
  schedulerId?: string;
  /** Lease heartbeat and expiry when `leases` are given (docs/adr/0007); default 1,000 / 8,000 ms (a dead scheduler's runs are adopted within 10 s). */
  lease?: LeaseTiming;
  /** False for `dags test`: only runs created by the caller are executed. */
  createScheduledRuns?: boolean;
}

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
 */
export class Scheduler implements ExecutorListener, ChangeFeed {
  private readonly store: Store;
  private readonly inbox: CommandInbox | undefined;
  private readonly datasets: DatasetStore | undefined;
  private readonly events: DomainEventBus;
  /** The one path for changes to task instances, attempts and runs (memory, write, event). */
  private readonly writer: StateWriter;
  private readonly executor: Executor;
  private readonly outputs: TaskOutputs;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly opts: Required<SchedulerOptions>;
  private readonly uow: UnitOfWork;
  private readonly dispatcher: Dispatcher;
  private readonly runs = new Map<number, ActiveRun>();
  private readonly inFlight: InFlightAttempts;
  /** Parsed DAG versions, an LRU of at most 256 (DEFAULT_MAX_CACHED_VERSIONS), and each DAG's latest limits. */
  private readonly versions: DagVersions;
  private readonly retryTimers = new Map<string, () => void>();
  private readonly sensorWaits: SensorWaits;
  private dags = new Map<string, DagRecord>();
  private pools = new Map<string, number>();
  private readonly waiters = new RunWaiters();
  private stopping = false;
  private live = false;
  private ticking: Promise<void> | null = null;
  private tickAgain = false;
  private cancelTick: (() => void) | null = null;
  private lastHeartbeat = 0;
  private readonly leases: SchedulerLeases | undefined;
  private readonly onFenced: (() => void) | undefined;
  private ha: { lease: SchedulerLease; ownership: DagOwnership } | null = null;
  /** Pool slots granted to this scheduler; null when it is the only one (the grant is the whole pool). */
  private grants: PoolGrants | null = null;
  private wasFenced = false;
  private readonly metrics: Metrics;

  constructor(deps: SchedulerDeps) {
    this.store = deps.store;
    this.leases = deps.leases;
    this.onFenced = deps.onFenced;
    this.versions = new DagVersions(this.store);
    this.inbox = deps.inbox;
    this.datasets = deps.datasets;
    this.executor = deps.executor;
    this.outputs = new TaskOutputs(deps.sealer ?? null);
    this.clock = deps.clock;
    this.logger = deps.logger;
    this.metrics = deps.metrics ?? noMetrics;
    this.opts = {
      heartbeatMs: 5_000,
      schedulerId: defaultSchedulerId(),
      createScheduledRuns: true,
      lease: { heartbeatMs: 1_000, leaseMs: 8_000 },
      commitDelayMs: 5,
      ...deps.options,
    };
    this.events = new DomainEventBus(this.logger);
    this.uow = new UnitOfWork(
      this.store,
      this.logger,
      this.clock,
      this.opts.commitDelayMs,
      (_c, datasetEvents, domainEvents) => {
        if (domainEvents.length > 0) this.events.publish(domainEvents);
        // Datasets were updated: dataset-scheduled DAGs may be due now, not at the next poll.
        if (datasetEvents > 0) this.wake();
      },
      this.datasets,
      (ms, ok) => this.metrics.schedulerCommit(ms / 1000, ok),
    );
    this.writer = new StateWriter(this.uow, this.events);
    this.sensorWaits = new SensorWaits({
      clock: this.clock,
      logger: this.logger,
      writer: this.writer,
      triggerer: deps.triggerer,
      logsDir: this.opts.logsDir,
      maxOutputBytes: this.opts.maxOutputBytes,
      isActive: (run) => !this.stopping && this.runs.get(run.pk) === run,
      requeue: (run, ti) => (this.enqueue(run, ti), this.pump()),
      afterEnd: (run, ti, now) => {
        if (ti.state === "success" && ti.mapIndex < 0) this.recordOutlets(run, ti.taskId, ti.tryNumber, now);
        if (ti.state === "up_for_retry" && ti.nextRetryAt !== null) this.scheduleRetry(run, tiKey(ti.taskId, ti.mapIndex), ti.nextRetryAt - now);
        else this.ended(run, ti, now);
        this.pump();
      },
    });
    this.dispatcher = new Dispatcher({
      capacity: this.executor.capacity,
      maxActiveTasks: (dagId) => this.maxActiveTasks(dagId),
      poolSlots: (pool) => (this.grants ? Math.min(this.grants.slots(pool), this.pools.get(pool) ?? 0) : this.pools.get(pool)),
    });
    this.inFlight = new InFlightAttempts(this.dispatcher, this.writer);
  }

  /** Recovers runs left running by a previous process, starts the executor and the tick. */
  async start(): Promise<void> {
    const now = this.clock.now();
    // SQLite: one scheduler per file. PostgreSQL: any number, sharing DAGs by lease (docs/adr/0007).
    const sole = !this.store.capabilities.skipLocked;
    if (sole) await ensureSoleScheduler(this.store, this.opts.schedulerId, now, 3 * this.opts.heartbeatMs);
    await this.store.heartbeat("scheduler", this.opts.schedulerId, now);
    this.lastHeartbeat = now;
    if (this.leases) await this.joinSchedulers(this.leases, sole);
    await this.executor.start(this);
    await this.refreshCatalog();
    if (this.ha) await this.adoptDags();
    else {
      for await (const page of runningRunPages(this.store)) {
        for (const run of page) await this.activate(run, true);
      }
    }
    await this.uow.flush();
    this.live = true;
    this.pump();
    await this.tick();
  }

  /** Asks for a tick soon (a run was triggered, a DAG unpaused…). */
  wake(): void {
    if (!this.live || this.stopping) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.cancelTick?.();
    this.cancelTick = this.clock.setTimer(0, () => void this.tick());
  }

  /** Calls `fn` whenever a run reaches a final state. */
  onRunFinished(fn: (run: RunRecord) => void): void {
    this.waiters.onAny(fn);
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
    const d = this.dispatcher;
    const pools = [...this.pools].map(([pool, size]) => {
      const slots = this.grants ? Math.min(this.grants.slots(pool), size) : size;
      const used = d.poolInUse(pool);
      return { pool, used, open: Math.max(0, slots - used) };
    });
    return { ready: d.ready.size, parked: d.parkedCounts(), pools };
  }

  /** Resolves with the run once it is finished (success or failed). */
  async waitForRun(runPk: number): Promise<RunRecord> {
    const done = await this.store.getRunById(runPk);
    if (done && (done.state === "success" || done.state === "failed") && !this.runs.has(runPk)) return done;
    return this.waiters.waitFor(runPk);
  }

  /**
   * Graceful stop: no new dispatches or runs; running attempts get `graceMs` to finish (their
   * results are recorded), then are killed. Everything is flushed before it resolves.
   */
  async stop(graceMs: number): Promise<void> {
    this.haltTimers();
    if (this.ticking) await this.ticking;
    await this.executor.shutdown(graceMs);
    await this.uow.drain();
    // Hand this scheduler's DAGs and pool slots to the others at once, not after the lease time.
    await this.ha?.lease.stop();
    // Release the database for another scheduler at once.
    await this.store.heartbeat("scheduler", this.opts.schedulerId, 0);
  }

  // ── executor events ──────────────────────────────────────────────────────────────────────

  started(attemptId: string, at: number, pid: number | null): void {
    const f = this.inFlight.get(attemptId);
    const run = f && this.runs.get(f.runPk);
    if (run) this.inFlight.started(run, attemptId, at, pid);
  }

  finished(report: AttemptReport): void {
    const f = this.inFlight.get(report.attemptId);
    if (!f) return;
    const run = this.runs.get(f.runPk);
    const now = this.clock.now();
    if (!run) {
      // Its run is no longer held: only the slot is freed.
      this.inFlight.end(report.attemptId, undefined, { state: "failed", endedAt: report.endedAt, error: null, pid: report.pid }, now);
    } else {
      const result = applyOutcome(this.writer, run, f.key, this.outputs.sealReport(run, f, report), now);
      const how = { state: result.attemptState, startedAt: report.startedAt, endedAt: report.endedAt, error: result.ti.error, pid: report.pid };
      this.inFlight.end(report.attemptId, run, how, now);
      this.sensorWaits.settled(run, result.ti, now);
      if (result.ti.state === "success" && f.mapIndex < 0) this.recordOutlets(run, f.taskId, f.tryNumber, now);
      if (result.ti.state === "up_for_retry" && result.ti.nextRetryAt !== null) {
        this.scheduleRetry(run, f.key, result.ti.nextRetryAt - now);
        if (f.mapIndex >= 0) this.releaseWaitingCopy(run, f.taskId);
      } else {
        this.ended(run, result.ti, now);
      }
    }
    this.pump();
  }

  /** A task with outlets succeeded: each of its datasets gets an event, written with the success. */
  private recordOutlets(run: ActiveRun, taskId: string, tryNumber: number, now: number): void {
    if (!this.datasets) return;
    // Specs stored before datasets existed have no outlets.
    const outlets: readonly string[] = run.graph.tasks.get(taskId)?.outlets ?? [];
    for (const uri of outlets) {
      this.uow.datasetEvent({ uri, source: { dagId: run.dagId, runId: run.run.runId, taskId, tryNumber }, extra: {}, createdAt: now });
    }
  }

  /**
   * A task instance reached a final state: decide its downstream; for a copy of a mapped task, let
   * a waiting copy run and, when it was the last, settle the mapped task and decide its downstream.
   */
  private ended(run: ActiveRun, ti: TaskInstanceRecord, now: number): void {
    if (ti.mapIndex < 0) {
      this.propagate(run, [ti.taskId], now);
      return;
    }
    this.releaseWaitingCopy(run, ti.taskId);
    const parent = settleMappedTask(this.writer, run, ti.taskId, now, this.outputs);
    if (!parent) return;
    // Outlets are recorded once, for the mapped task, keyed by its copies' highest try (a
    // cleared and re-run mapped task records new events).
    if (parent.state === "success") {
      const tries = (run.copies.get(parent.taskId) ?? []).map((c) => c?.tryNumber ?? 1);
      this.recordOutlets(run, parent.taskId, Math.max(1, ...tries), now);
    }
    this.propagate(run, [parent.taskId], now);
  }

  /** A copy stopped running: one held back by maxActiveCopies may go. */
  private releaseWaitingCopy(run: ActiveRun, taskId: string): void {
    const waiting = run.waitingCopies.get(taskId);
    const key = waiting?.shift();
    if (key === undefined) return;
    const ti = run.tis.get(key);
    if (ti?.state === "scheduled") this.enqueue(run, ti);
  }

  // ── decisions ────────────────────────────────────────────────────────────────────────────

  /** Decides the fate of tasks downstream of `changed` (or all tasks) and checks the run. */
  private propagate(run: ActiveRun, changed: string[] | null, now: number): void {
    const candidates = changed === null ? undefined : changed.flatMap((t) => run.graph.downstream.get(t) ?? []);
    const decisions = decideTasks(run.graph, run.views, candidates, run.countsOf);
    const settled: string[] = [];
    for (const [taskId, state] of decisions) {
      if (state === "scheduled" && run.graph.tasks.get(taskId)?.dependsOnPast) {
        run.blocked.add(taskId);
        this.checkPastSafely(run, taskId);
        continue;
      }
      if (state === "scheduled" && mapOf(run, taskId)) {
        if (this.expand(run, taskId, now)) settled.push(taskId);
        continue;
      }
      // "scheduled" (dependencies met, waiting for a slot) is not written: it is derived from
      // the upstream states and recovery would reset it anyway. The store shows "none" until
      // the task is queued.
      const ti = this.writer.task(run, taskId, { state, ...(state === "scheduled" ? {} : { endedAt: now }) }, now, state !== "scheduled");
      if (state === "scheduled") this.enqueue(run, ti);
    }
    // Mapped tasks that ended at once (empty or bad lists) decide their own downstream.
    if (settled.length > 0) this.propagate(run, settled, now);
    else this.checkRunDone(run, now);
  }

  /** Creates a mapped task's copies and queues them; true when it ended at once instead. */
  private expand(run: ActiveRun, taskId: string, now: number): boolean {
    const out = expandMappedTask(this.writer, run, taskId, now, this.outputs);
    for (const ti of out.ready) this.enqueue(run, ti);
    if (!out.settled) this.logger.info({ dagId: run.dagId, runId: run.run.runId, taskId, copies: out.ready.length }, "mapped task expanded");
    return out.settled;
  }

  private enqueue(run: ActiveRun, ti: TaskInstanceRecord): void {
    this.dispatcher.ready.push({
      runPk: run.pk,
      taskId: tiKey(ti.taskId, ti.mapIndex),
      priority: ti.priority,
      backfill: run.run.runType === "backfill",
    });
  }

  private checkRunDone(run: ActiveRun, now: number): void {
    if (run.active > 0) return;
    const outcome = runOutcome(run.graph, run.views, run.blocked);
    if (outcome === "running") return;
    const note = outcome === "deadlocked" ? "deadlocked: no task can make progress" : null;
    this.finishRun(run, outcome === "success" ? "success" : "failed", note, now);
  }

  private finishRun(run: ActiveRun, state: "success" | "failed", note: string | null, now: number, cause: ChangeCause = null): void {
    if (this.runs.get(run.pk) !== run) return;
    run.run = this.writer.run(run.run, { state, endedAt: now, note }, now, cause);
    this.runs.delete(run.pk);
    this.dispatcher.dropRun(run.pk);
    this.sensorWaits.cancel(run, null);
    this.logger.info({ dagId: run.dagId, runId: run.run.runId, state, note }, "run finished");
    const finished = run.run;
    // Waiters hear of the end once it is durable (a failed commit is retried first).
    void this.uow.flushRun(run.pk).then(() => this.waiters.finished(finished));
    this.wake();
  }

  /** depends_on_past reads the store; a failed read leaves the task blocked until the next tick asks again. */
  private checkPastSafely(run: ActiveRun, taskId: string): void {
    this.checkPast(run, taskId).catch((err: unknown) => {
      this.logger.warn({ dagId: run.dagId, runId: run.run.runId, taskId, err }, "depends_on_past check failed; retrying on the next tick");
    });
  }

  private async checkPast(run: ActiveRun, taskId: string): Promise<void> {
    const ok = await pastAllows(this.store, run, taskId, (pk) => this.runs.get(pk));
    if (!ok || !this.runs.has(run.pk) || run.tis.get(taskId)?.state !== "none") return;
    run.blocked.delete(taskId);
    const now = this.clock.now();
    if (mapOf(run, taskId)) {
      if (this.expand(run, taskId, now)) this.propagate(run, [taskId], now);
      this.pump();
      return;
    }
    const ti = this.writer.task(run, taskId, { state: "scheduled" }, now);
    this.enqueue(run, ti);
    this.pump();
  }

  /** Puts task instance `taskId` (a {@link tiKey}) back in the ready queue after `delayMs`. */
  private scheduleRetry(run: ActiveRun, taskId: string, delayMs: number): void {
    const key = `${run.pk}/${taskId}`;
    this.retryTimers.get(key)?.();
    this.retryTimers.set(
      key,
      this.clock.setTimer(delayMs, () => {
        this.retryTimers.delete(key);
        if (this.stopping || !this.runs.has(run.pk) || run.tis.get(taskId)?.state !== "up_for_retry") return;
        const now = this.clock.now();
        const ti = this.writer.task(run, taskId, { state: "scheduled", nextRetryAt: null }, now);
        this.enqueue(run, ti);
        this.pump();
      }),
    );
  }

  // ── dispatch ─────────────────────────────────────────────────────────────────────────────

  private pump(): void {
    if (this.stopping || !this.live) return;
    const d = this.dispatcher;
    while (d.hasCapacity()) {
      const item = d.ready.pop();
      if (!item) break;
      const run = this.runs.get(item.runPk);
      const ti = run?.tis.get(item.taskId);
      if (!run || !ti || ti.state !== "scheduled") continue;
      if (ti.mapIndex >= 0) {
        const max = mapOf(run, ti.taskId)?.maxActive ?? null;
        if (max !== null && (run.activeCopies.get(ti.taskId) ?? 0) >= max) {
          const waiting = run.waitingCopies.get(ti.taskId) ?? [];
          waiting.push(item.taskId);
          run.waitingCopies.set(ti.taskId, waiting);
          continue;
        }
      }
      const claim: Claim = { dagId: run.dagId, pool: ti.pool, poolSlots: ti.poolSlots };
      const poolSize = this.pools.get(ti.pool);
      if (poolSize === undefined || ti.poolSlots > poolSize) {
        this.failUnrunnable(run, ti, poolSize === undefined
          ? `pool "${ti.pool}" does not exist; existing pools: ${[...this.pools.keys()].join(", ")}`
          : `task needs ${ti.poolSlots} slots but pool "${ti.pool}" has only ${poolSize}`);
        continue;
      }
      const admission = d.admit(claim);
      if (admission !== "ok") {
        d.park(item, admission, claim);
        if (admission === "pool_full") this.grants?.parked(claim.pool);
        continue;
      }
      this.dispatch(run, ti, claim);
    }
  }

  private dispatch(run: ActiveRun, ti: TaskInstanceRecord, claim: Claim): void {
    const now = this.clock.now();
    const tryNumber = ti.tryNumber + 1;
    const key = tiKey(ti.taskId, ti.mapIndex);
    const queued = { state: "queued", tryNumber, queuedAt: now, error: null } as const;
    let request: AttemptRequest;
    try {
      request = buildAttemptRequest(run, { ...ti, ...queued }, this.opts.logsDir, this.opts.maxOutputBytes, this.outputs);
    } catch (e) {
      // An input sealed with another key: this task fails, the scheduler goes on.
      if (e instanceof UnreadableOutputError) return this.failUnrunnable(run, ti, e.message);
      throw e;
    }
    this.writer.task(run, key, queued, now);
    const f = { ...claim, runPk: run.pk, taskId: ti.taskId, mapIndex: ti.mapIndex, key, tryNumber, logPath: request.logPath, state: "queued" as const, startedAt: null };
    this.inFlight.add(request.attemptId, f);
    // User code starts only once the attempt's `queued` state is durable: an execution always has
    // a record, and a scheduler that adopts this one's runs never hands out the same try again.
    this.uow.whenDurable(() => {
      if (!this.stopping && this.inFlight.get(request.attemptId)?.state === "queued") this.executor.submit(request);
    });
  }

  private failUnrunnable(run: ActiveRun, ti: TaskInstanceRecord, error: string): void {
    const now = this.clock.now();
    this.logger.error({ dagId: run.dagId, taskId: ti.taskId }, error);
    const failed = this.writer.task(run, tiKey(ti.taskId, ti.mapIndex), { state: "failed", error, endedAt: now }, now);
    this.ended(run, failed, now);
  }

  // ── the tick: time-based and external work ───────────────────────────────────────────────

  private tick(): Promise<void> {
    if (this.ticking) {
      this.tickAgain = true;
      return this.ticking;
    }
    this.cancelTick?.();
    const startedAt = this.clock.now();
    this.ticking = this.tickOnce()
      .then(() => this.metrics.schedulerLoop((this.clock.now() - startedAt) / 1000))
      .catch((error: unknown) => this.logger.error({ err: error }, "scheduler tick failed"))
      .finally(() => {
        this.ticking = null;
        if (this.stopping) return;
        const again = this.tickAgain;
        this.tickAgain = false;
        this.cancelTick = this.clock.setTimer(again ? 0 : this.opts.pollMs, () => void this.tick());
      });
    return this.ticking;
  }

  private async tickOnce(): Promise<void> {
    if (this.stopping) return;
    const now = this.clock.now();
    if (now - this.lastHeartbeat >= this.opts.heartbeatMs) {
      this.lastHeartbeat = now;
      await this.store.heartbeat("scheduler", this.opts.schedulerId, now);
    }
    await this.refreshCatalog();
    await this.adoptDags();
    await this.grants?.tick();
    const mine = this.ownedDags();
    if (this.opts.createScheduledRuns) {
      await createDueRuns({ store: this.store, uow: this.uow, dags: mine, version: (h) => this.version(h), now });
      if (this.datasets) {
        await createDatasetRuns({ store: this.store, datasets: this.datasets, dags: mine, version: (h) => this.version(h), logger: this.logger, now });
      }
    }
    await planBackfills({ store: this.store, writer: this.writer, version: (h) => this.version(h), isActive: (pk) => this.runs.has(pk), now });
    await this.uow.flush();
    await this.applyCommands();
    await this.uow.flush();
    await this.promoteQueuedRuns(now);
    this.checkRunTimeouts(now);
    for (const run of this.runs.values()) for (const t of run.blocked) this.checkPastSafely(run, t);
    this.pump();
  }

  // ── several schedulers (docs/adr/0007) ───────────────────────────────────────────────────

  /** Registers this scheduler's lease; from now on every commit is fenced by it. */
  private async joinSchedulers(leases: SchedulerLeases, sole: boolean): Promise<void> {
    const [host, pid] = [this.opts.schedulerId.slice(0, this.opts.schedulerId.lastIndexOf(":")), process.pid];
    const identity = { id: `${this.opts.schedulerId}:${randomUUID().slice(0, 8)}`, host, pid, version: "baton" };
    const timing = this.opts.lease;
    const lease = new SchedulerLease(leases, this.clock, this.logger, identity, timing, {
      onFenced: () => this.fenced(),
      // Workers run only while the lease is renewed: a paused scheduler's workers are gone before it can be fenced.
      onBeat: () => this.executor.keepAlive?.(Math.floor(timing.leaseMs / 2)),
      onLeaseFenced: () => this.wake(),
    });
    if (sole) {
      // The heartbeat check passed: any lease left unfenced on this file belongs to a dead scheduler.
      for (const l of await leases.listSchedulerLeases()) {
        if (l.fencedAt === null) await leases.fenceScheduler(l.id, l.beat, identity.id, this.clock.now());
      }
    }
    await lease.start();
    this.uow.fenceWith({ schedulerId: lease.id }, () => this.fenced());
    this.ha = { lease, ownership: new DagOwnership(leases, lease.id, sole) };
    if (!sole) this.grants = this.poolGrants(leases, lease.id);
    this.logger.info({ scheduler: lease.id, ...timing }, "scheduler lease registered");
  }

  /** Several schedulers: the dispatcher runs pooled work only on slots granted to this one. */
  private poolGrants(leases: SchedulerLeases, schedulerId: string): PoolGrants {
    const d = this.dispatcher;
    return new PoolGrants({
      leases,
      schedulerId,
      clock: this.clock,
      logger: this.logger,
      parkedPools: () => d.parkedPools(),
      need: (pool) => {
        let parked = 0;
        for (const item of d.parkedIn(pool)) parked += this.runs.get(item.runPk)?.tis.get(item.taskId)?.poolSlots ?? 0;
        return { used: d.poolInUse(pool), parked, size: this.pools.get(pool) ?? 0 };
      },
      onGrown: (pool) => {
        d.unparkPool(pool);
        this.pump();
      },
    });
  }

  /** Claims or gives back DAGs towards a fair share; loads the running runs of DAGs newly owned (recovery rules). */
  private async adoptDags(): Promise<void> {
    if (!this.ha || this.stopping) return;
    const busy = new Set([...this.runs.values()].map((r) => r.dagId));
    if (this.uow.pending) await this.uow.flush();
    const adopted = await this.ha.ownership.rebalance(this.dags.size, this.ha.lease.liveSchedulers, (d) => busy.has(d));
    for (const dagId of adopted) {
      const running = await this.store.listRuns({ dagId, states: ["running"], limit: 1_000_000 });
      for (const run of running) if (!this.runs.has(run.id)) await this.activate(run, true);
      this.logger.info({ dagId, runs: running.length }, "DAG adopted");
    }
  }

  /** The DAGs this scheduler creates and starts runs for: those it owns (all without leases). */
  private ownedDags(): Map<string, DagRecord> {
    const ha = this.ha;
    if (!ha) return this.dags;
    return new Map([...this.dags].filter(([id]) => ha.ownership.owns(id)));
  }

  /** No more ticks, retries, sensor pokes or pool-grant requests: the first step of any stop. */
  private haltTimers(): void {
    this.stopping = true;
    this.cancelTick?.();
    for (const cancel of this.retryTimers.values()) cancel();
    this.retryTimers.clear();
    this.sensorWaits.stop();
    this.grants?.stop();
  }

  /** Our lease was fenced: another scheduler adopted our work. Stop at once, write nothing more. */
  private fenced(): void {
    if (this.wasFenced) return;
    this.wasFenced = true;
    this.logger.error({ scheduler: this.ha?.lease.id }, "fenced: another scheduler adopted my work; exiting");
    this.haltTimers();
    this.runs.clear();
    void this.executor.shutdown(0).finally(() => this.onFenced?.());
  }

  private async refreshCatalog(): Promise<void> {
    this.dags = new Map((await this.store.listDags()).map((d) => [d.dagId, d]));
    const pools = new Map((await this.store.listPools()).map((p) => [p.name, p.slots]));
    const changed = pools.size !== this.pools.size || [...pools].some(([k, v]) => this.pools.get(k) !== v);
    this.pools = pools;
    if (changed) this.dispatcher.unparkAll();
    await this.versions.refreshLatest(this.dags);
  }

  private version(hash: string): Promise<LoadedVersion | undefined> {
    return this.versions.get(hash);
  }

  private maxActiveTasks(dagId: string): number {
    return this.versions.maxActiveTasks(dagId);
  }

  /** Moves queued runs to running in order, within max active runs, unless the DAG is paused. */
  private async promoteQueuedRuns(now: number): Promise<void> {
    const start = await runsToStart({
      store: this.store,
      dags: this.ownedDags(),
      active: [...this.runs.values()].map((r) => r.run),
      maxActiveRuns: async (hash) => (await this.version(hash))?.version.spec.maxActiveRuns ?? 16,
      now,
    });
    for (const run of start) {
      // Ended here but not yet durable (commits failing): the store still says "queued".
      if (this.uow.hasUnwrittenRun(run.id)) continue;
      await this.activate({ ...run, state: "running", startedAt: now }, false);
    }
  }

  /** Loads a run into memory and starts deciding its tasks. */
  private async activate(run: RunRecord, recovering: boolean): Promise<void> {
    const now = this.clock.now();
    // A promoted run arrives "running"; the store still has it queued.
    const stored: RunRecord = recovering ? run : { ...run, state: "queued" };
    const v = await this.version(run.dagVersion);
    if (!v) {
      this.writer.run(stored, { state: "failed", endedAt: now, note: `DAG version ${run.dagVersion} is missing` }, now);
      return;
    }
    let params: Record<string, unknown>;
    try {
      params = resolveParams(v.version.spec.paramsSchema, v.version.spec.paramsDefaults, run.conf);
    } catch (error) {
      this.writer.run(stored, { state: "failed", startedAt: now, endedAt: now, note: (error as Error).message }, now);
      return;
    }
    const tis = await this.store.listTaskInstances(run.id);
    const active = new ActiveRun(run, v.version, v.graph, params, tis);
    this.runs.set(run.id, active);
    if (!recovering) active.run = this.writer.run(stored, { state: "running", startedAt: run.startedAt ?? now }, now);
    const retries = recovering ? recoverRun(active, now, this.writer) : [];
    for (const r of retries) this.scheduleRetry(active, r.taskId, r.delayMs);
    if (recovering) this.sensorWaits.recover(active, now);
    // A mapped task whose last copies ended as the previous process stopped gets its state now.
    for (const taskId of active.copies.keys()) {
      settleMappedTask(this.writer, active, taskId, now, this.outputs);
    }
    for (const ti of active.tis.values()) if (ti.state === "scheduled") this.enqueue(active, ti);
    this.propagate(active, null, now);
  }

  /** Applies pending clear/mark/cancel requests, oldest first. */
  private async applyCommands(): Promise<void> {
    if (!this.inbox) return;
    for (const cmd of await this.inbox.listPendingCommands(100)) {
      // A command about a run goes to the owner of its DAG; it stays pending for it.
      if (this.ha && "dagId" in cmd.payload && !this.ha.ownership.owns(cmd.payload.dagId)) continue;
      const result = await applyCommand(this.commandHost, cmd);
      await this.uow.flush();
      await this.inbox.completeCommand(cmd.id, result, this.clock.now());
      this.logger.info({ command: cmd.kind, id: cmd.id, by: cmd.requestedBy, result }, "command applied");
    }
  }

  private get commandHost(): CommandHost {
    return {
      store: this.store,
      writer: this.writer,
      now: () => this.clock.now(),
      active: (dagId, runId) => [...this.runs.values()].find((r) => r.dagId === dagId && r.run.runId === runId),
      version: (hash) => this.version(hash),
      stopAttempts: (run, taskIds, reason) => this.stopAttempts(run, taskIds, reason),
      propagate: (run, changed, now) => {
        this.propagate(run, changed, now);
        this.pump();
      },
      enqueue: (run, ti) => this.enqueue(run, ti),
      finishRun: (run, state, note, now, cause) => this.finishRun(run, state, note, now, cause),
    };
  }

  /**
   * Kills in-flight attempts of a run (some tasks or all): each ends recorded failed, its slot
   * freed. Deferred sensors' waits end the same way.
   */
  private stopAttempts(run: ActiveRun, taskIds: ReadonlySet<string> | null, reason: string): void {
    const now = this.clock.now();
    this.sensorWaits.cancel(run, taskIds, `stopped: ${reason}`, now);
    for (const attemptId of this.inFlight.ofRun(run.pk, taskIds)) {
      // Ended first: an executor may report the cancelled attempt at once, and it must find it gone.
      this.inFlight.end(attemptId, run, { state: "failed", endedAt: now, error: `stopped: ${reason}`, pid: null }, now);
      this.executor.cancel(attemptId, reason);
    }
  }

  private checkRunTimeouts(now: number): void {
    for (const run of [...this.runs.values()]) {
      const limit = run.version.spec.runTimeoutMs;
      if (limit === null || run.run.startedAt === null || now - run.run.startedAt < limit) continue;
      endLiveRun(this.commandHost, run, "failed", `run timed out after ${limit} ms`, now);
    }
  }
}
