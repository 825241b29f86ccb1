import type { DomainEvent } from "../core/model/domain-events.js";
import type { AttemptRecord, NewDatasetEvent, TaskInstanceRecord } from "../core/model/records.js";
import type { NewRemoteAttempt } from "../core/model/workers.js";
import type { DatasetStore } from "../core/ports/dataset-store.js";
import type { BackfillPatch, ChangeSet, RunPatch, Store } from "../core/ports/store.js";
import type { Logger } from "../core/ports/logger.js";
import type { Clock } from "../core/ports/clock.js";
import { FencedError } from "../core/errors.js";
import type { CommitFence } from "../core/ports/scheduler-leases.js";
import { RepeatedFailureLog } from "./repeated-failure-log.js";

const tiKey = (t: { runPk: number; taskId: string; mapIndex: number }) => `${t.runPk}\0${t.taskId}\0${t.mapIndex}`;

/**
 * Collects the scheduler's state changes and writes them in one transaction per turn of the
 * event loop (group commit). Later writes of the same row replace earlier ones, so a task that
 * starts and finishes between two flushes costs one row write. An attempt is handed to a worker
 * only once its `queued` state is durable ({@link whenDurable}: that commit goes out on the next
 * turn of the event loop, not after the window), so every execution of user code has a record
 * and a lost scheduler's adopter never runs the same try again. Domain events recorded with the
 * changes are handed on once the commit that holds them resolves.
 */
export class UnitOfWork {
  private tis = new Map<string, TaskInstanceRecord>();
  private attempts = new Map<string, AttemptRecord>();
  private runs = new Map<number, RunPatch>();
  private backfills = new Map<number, BackfillPatch>();
  private dagSchedules = new Map<string, number>();
  private datasetEvents: NewDatasetEvent[] = [];
  private remoteAttempts: NewRemoteAttempt[] = [];
  private domainEvents: DomainEvent[] = [];
  private scheduled = false;
  /** Cancels the window's pending timer (a zero window's next-turn commit is left to run: it finds nothing). */
  private cancelWindow: (() => void) | null = null;
  private flushing: Promise<void> | null = null;
  /** Runs whose changes are in the commit under way (taken out of `runs` while it runs). */
  private committingRuns: ReadonlySet<number> = new Set();
  /** After a failed commit: no new attempt until the retry timer fires (doubling, at most 5 s). */
  private backingOff = false;
  private retryDelayMs = 200;
  /** Callers of {@link flush} waiting for the backoff to end (not a busy loop on a failing store). */
  private backoffWaiters: (() => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  /** Told once every change recorded before they asked is durable ({@link whenDurable}). */
  private durableWaiters: (() => void)[] = [];
  private urgent = false;
  private readonly goNow = (): void => {
    this.urgent = false;
    void this.flush();
  };
  private fence: CommitFence | undefined;
  private onFenced: ((error: FencedError) => void) | undefined;
  /** Allocated once: scheduling a commit allocates no closure. */
  private readonly go = (): void => {
    this.scheduled = false;
    this.cancelWindow = null;
    void this.flush();
  };
  private readonly retryLater = (): void => {
    this.backingOff = false;
    for (const w of this.backoffWaiters.splice(0)) w();
    this.schedule();
  };

  /**
   * @param clock times the commit window and the retry after a failed commit (a zero window
   *   commits on the next turn of the event loop, without a timer).
   * @param commitDelayMs group-commit window: changes made within it share one transaction.
   *   Dispatch never waits for it; it bounds how much recent progress a crash can undo.
   */
  constructor(
    private readonly store: Store,
    private readonly logger: Logger,
    private readonly clock: Clock,
    private readonly commitDelayMs = 5,
    /** Told about every change set once it is durable, with the domain events recorded with it. */
    private readonly onCommitted?: (changes: ChangeSet, datasetEvents: number, domainEvents: readonly DomainEvent[]) => void,
    /** Where dataset events go; without it, {@link datasetEvent} is not called. */
    private readonly datasets?: DatasetStore,
    /** Told how long each commit took (clock ms) and whether it landed (metrics). */
    private readonly onCommitTimed?: (ms: number, ok: boolean) => void,
  ) {
    this.commitFailures = new RepeatedFailureLog(logger, "commit");
  }

  /** A commit failing again and again (full disk) is logged once, with its real error. */
  private readonly commitFailures: RepeatedFailureLog;

  taskInstance(ti: TaskInstanceRecord): void {
    this.tis.set(tiKey(ti), ti);
    this.schedule();
  }

  attempt(a: AttemptRecord): void {
    this.attempts.set(`${tiKey(a)}\0${a.tryNumber}`, a);
    this.schedule();
  }

  run(patch: RunPatch): void {
    this.runs.set(patch.id, { ...this.runs.get(patch.id), ...patch });
    this.schedule();
  }

  backfill(patch: BackfillPatch): void {
    this.backfills.set(patch.id, { ...this.backfills.get(patch.id), ...patch });
    this.schedule();
  }

  dagSchedule(dagId: string, lastScheduledLogicalDate: number): void {
    this.dagSchedules.set(dagId, lastScheduledLogicalDate);
    this.schedule();
  }

  /** A dataset updated by a task attempt that succeeded; written with the attempt's success. */
  datasetEvent(event: NewDatasetEvent): void {
    this.datasetEvents.push(event);
    this.schedule();
  }

  /**
   * An attempt's mailbox row for remote workers, written in the same commit as the attempt's
   * `queued` record (recorded in the same turn): the executor's hand-off costs no statement of its
   * own (Executor.handOffRow, docs/workers.md).
   */
  remoteAttempt(row: NewRemoteAttempt): void {
    this.remoteAttempts.push(row);
    this.schedule();
  }

  /** A domain event describing changes recorded here; published after the commit that holds them. */
  domainEvent(event: DomainEvent): void {
    this.domainEvents.push(event);
    this.schedule();
  }

  /**
   * Calls `then` once every change recorded so far is durable. The commit that holds them goes
   * out on the next turn of the event loop (changes made in the same turn share it), not after
   * the group-commit window. A commit refused by the fence never calls it; a failed commit calls
   * it when its retry lands.
   */
  whenDurable(then: () => void): void {
    this.durableWaiters.push(then);
    if (this.urgent) return;
    this.urgent = true;
    setImmediate(this.goNow);
  }

  /**
   * Whether changes to run `id` are recorded but not yet durable. A run that ended in memory is
   * still "queued" or "running" in the store until then: it must not be picked up again.
   */
  hasUnwrittenRun(id: number): boolean {
    return this.runs.has(id) || this.committingRuns.has(id);
  }

  get pending(): boolean {
    return this.rowsPending || this.domainEvents.length > 0;
  }

  private get rowsPending(): boolean {
    return (
      this.tis.size +
        this.attempts.size +
        this.runs.size +
        this.backfills.size +
        this.dagSchedules.size +
        this.datasetEvents.length +
        this.remoteAttempts.length >
      0
    );
  }

  private schedule(): void {
    if (this.scheduled || this.backingOff) return;
    this.scheduled = true;
    // A zero window is "the next turn", not a wait: setImmediate keeps its latency.
    if (this.commitDelayMs <= 0) setImmediate(this.go);
    else this.cancelWindow = this.clock.setTimer(this.commitDelayMs, this.go);
  }

  /**
   * Every recorded change is in the commit about to go out: the window restarts with the next
   * change. Otherwise a window opened before this commit would close on whatever came after it —
   * in a chain, the next task's `started` report, committed alone a moment before its finish,
   * whose commit then waits behind that one's disk flush (docs/storage.md).
   */
  private restartWindow(): void {
    if (this.cancelWindow === null) return;
    this.cancelWindow();
    this.cancelWindow = null;
    this.scheduled = false;
  }

  /**
   * Every commit from now on lands only while this scheduler's lease holds (docs/adr/0007). A
   * refused commit is not retried: its changes are dropped and `onFenced` is told (fatal).
   */
  fenceWith(fence: CommitFence, onFenced: (error: FencedError) => void): void {
    this.fence = fence;
    this.onFenced = onFenced;
  }

  /**
   * Each change set passes through `prepare` before it is committed (large return values written
   * to the value store and replaced by references, value-offloader.ts). A failed commit retries
   * with the changes as recorded, not as prepared.
   */
  prepareWith(prepare: (changes: ChangeSet) => Promise<ChangeSet>): void {
    this.prepare = prepare;
  }

  private prepare: ((changes: ChangeSet) => Promise<ChangeSet>) | undefined;

  /** Writes everything pending; resolves when it is durable. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (this.backingOff && this.rowsPending) await new Promise<void>((resolve) => this.backoffWaiters.push(resolve));
    // TypeScript still narrows `this.flushing` to null here, but a flush may have started during the wait above.
    // eslint-disable-next-line @typescript-eslint/await-thenable
    while (this.flushing) await this.flushing;
    if (!this.pending) return this.tellDurable(this.durableWaiters.splice(0));
    const write = this.rowsPending;
    const durable = this.durableWaiters.splice(0);
    const changes: ChangeSet = {
      taskInstances: [...this.tis.values()].map((t) => ({ ...t })),
      attempts: [...this.attempts.values()].map((a) => ({ ...a })),
      runs: [...this.runs.values()],
      backfills: [...this.backfills.values()],
      dagSchedules: [...this.dagSchedules].map(([dagId, d]) => ({ dagId, lastScheduledLogicalDate: d })),
    };
    this.tis.clear();
    this.attempts.clear();
    this.runs.clear();
    this.backfills.clear();
    this.dagSchedules.clear();
    this.restartWindow();
    // An attempt's success and the dataset events it produced are durable together or not at
    // all: they share the commit's transaction (recording is idempotent per (uri, attempt)).
    const events = this.datasetEvents.splice(0);
    if (events.length > 0) changes.datasetEvents = events;
    const remote = this.remoteAttempts.splice(0);
    if (remote.length > 0) changes.remoteAttempts = remote;
    const published = this.domainEvents;
    this.domainEvents = [];
    this.committingRuns = new Set(changes.runs?.map((r) => r.id));
    const startedAt = this.clock.now();
    // Events alone (an instance became "scheduled", which is not written) need no transaction.
    const prepare = this.prepare;
    const commit = prepare ? () => prepare(changes).then((c) => this.store.commit(c, this.fence)) : () => this.store.commit(changes, this.fence);
    this.flushing = (write ? commit() : Promise.resolve())
      .then(() => {
        if (write) this.onCommitTimed?.(this.clock.now() - startedAt, true);
        this.commitFailures.succeeded();
        this.retryDelayMs = 200;
        this.onCommitted?.(changes, events.length, published);
        this.tellDurable(durable);
      })
      .catch((error: unknown) => {
        // Fenced: those changes will never be durable, so their waiters are never told.
        if (error instanceof FencedError) return this.onFenced?.(error);
        this.onCommitTimed?.(this.clock.now() - startedAt, false);
        this.durableWaiters = durable.concat(this.durableWaiters);
        // Keep the changes (newer ones win) and try again on the next turn.
        this.commitFailures.failed(error);
        for (const t of changes.taskInstances ?? []) if (!this.tis.has(tiKey(t))) this.tis.set(tiKey(t), t);
        for (const a of changes.attempts ?? []) {
          const k = `${tiKey(a)}\0${a.tryNumber}`;
          if (!this.attempts.has(k)) this.attempts.set(k, a);
        }
        for (const r of changes.runs ?? []) this.runs.set(r.id, { ...r, ...this.runs.get(r.id) });
        for (const b of changes.backfills ?? []) this.backfills.set(b.id, { ...b, ...this.backfills.get(b.id) });
        this.datasetEvents.unshift(...events);
        this.remoteAttempts.unshift(...remote);
        this.domainEvents = published.concat(this.domainEvents);
        for (const d of changes.dagSchedules ?? []) if (!this.dagSchedules.has(d.dagId)) this.dagSchedules.set(d.dagId, d.lastScheduledLogicalDate);
        // Retry after a pause that doubles while commits keep failing (a full disk, a lost
        // database), instead of at the pace new changes arrive.
        this.backingOff = true;
        this.clock.setTimer(this.retryDelayMs, this.retryLater);
        this.retryDelayMs = Math.min(this.retryDelayMs * 2, 5_000);
      })
      .finally(() => {
        this.flushing = null;
        this.committingRuns = new Set();
        if (!this.pending) for (const w of this.idleWaiters.splice(0)) w();
      });
    await this.flushing;
  }

  private tellDurable(waiters: readonly (() => void)[]): void {
    for (const then of waiters) {
      try {
        then();
      } catch (err) {
        this.logger.error({ err }, "after-commit step failed");
      }
    }
  }

  /** Flushes until the changes recorded for run `id` are durable (retrying failed commits after their backoff). */
  async flushRun(id: number): Promise<void> {
    do await this.flush();
    while (this.hasUnwrittenRun(id));
  }

  /** Resolves once nothing is pending (for shutdown and tests). */
  async drain(): Promise<void> {
    while (this.pending || this.flushing) await this.flush();
  }
}
