import type { NewRemoteAttempt, RemoteAttemptRecord } from "../core/model/workers.js";
import type { Clock } from "../core/ports/clock.js";
import type { AttemptReport, AttemptRequest, Executor, ExecutorListener } from "../core/ports/executor.js";
import { silentLogger, type Logger } from "../core/ports/logger.js";
import { HUB_CANCEL_TARGET, HUB_TARGET, type RemoteSignal } from "../core/ports/remote-signal.js";
import type { WorkerStore } from "../core/ports/worker-store.js";
import { cancelledOutcome } from "../executor/attempt-end.js";
import { requestJsonOf } from "./run-parts.js";
import { shortcutOf, type MailboxShortcut, type ShortcutEnd, type ShortcutExecutor, type ShortcutHub, type ShortcutStart } from "./mailbox-shortcut.js";

/** BATON_REMOTE_WINDOW's default: attempts in flight per remote queue. */
export const DEFAULT_REMOTE_WINDOW = 1_000;

/** The mailbox calls a scheduler makes (WorkerStore, scheduler side). */
export type RemoteMailbox = Pick<WorkerStore, "enqueueRemoteAttempts" | "cancelRemoteAttempt" | "takeRemoteUpdates">;

export interface RemoteExecutorOptions {
  mailbox: RemoteMailbox;
  signal: RemoteSignal;
  /** This scheduler's lease id: its rows carry it, and only it takes their outcomes. */
  schedulerId: string;
  clock: Clock;
  logger?: Logger;
  /** Attempts in flight per queue (BATON_REMOTE_WINDOW). Default 1,000. */
  window?: number;
  /** How often to look for outcomes while attempts are in flight. Default 100 ms, 1,000 ms when signals cross processes. */
  pollMs?: number;
  /**
   * Meet an API server of this process (one sharing `signal`) without the mailbox's extra round
   * trips (MailboxShortcut, docs/workers.md "One process"). Default true.
   */
  shortcut?: boolean;
  /**
   * Hand attempts out in the scheduler's commit (Executor.handOffRow, docs/workers.md "Handed out
   * in the scheduler's commit"): the mailbox row is written with the attempt's `queued` record,
   * not by an insert of its own after it. Default true.
   */
  inCommit?: boolean;
}

/**
 * Inserts into the mailbox under way at once. One: measured on the bench (2 CPUs, PostgreSQL),
 * two made the chain's hop slower and fan-out no faster.
 */
const MAX_FLUSHES = 1;

/** Store errors are retried after 100 ms, doubling up to this. */
const MAX_BACKOFF_MS = 10_000;

interface Remote {
  request: AttemptRequest;
  queue: string;
  /**
   * pending: not yet sent; writing: its insert is under way; enlisted: its row is in the
   * scheduler's commit, not yet durable; queued: in the mailbox, not started; running.
   */
  state: "pending" | "writing" | "enlisted" | "queued" | "running";
  cancelReason: string | null;
  /** The mailbox row of an attempt handed out in the scheduler's commit (enlisted), until it is durable. */
  row?: NewRemoteAttempt;
}

/**
 * Runs attempts on remote workers (docs/workers.md, docs/adr/0008-remote-workers.md) through the
 * remote-attempts mailbox in the database: what the scheduler submits is written, once per turn
 * of the event loop (one insert under way at a time), as `queued` rows under this scheduler's id, and the API servers are woken
 * (`hub`). An API server hands them to its workers and records `running` and `finished`; this
 * executor takes those updates (woken by the signal to its scheduler id, and polling on the
 * clock while it has attempts in flight) and reports them to the scheduler, each once.
 *
 * Store errors never lose anything: a write that fails is tried again with backoff, and an
 * outcome is deleted from the mailbox in the same transaction that hands it over. `shutdown`
 * stops taking work and waits up to its grace for the running attempts' outcomes; what is still
 * out there then keeps running on its worker, and the scheduler that adopts this one's runs
 * releases it (scheduler recovery, docs/workers.md).
 *
 * @example
 * const remote = new RemoteExecutor({ mailbox: store.workers, signal, schedulerId: leaseId, clock: systemClock });
 */
export class RemoteExecutor implements Executor {
  readonly capacity: number;
  readonly #o: RemoteExecutorOptions;
  readonly #logger: Logger;
  readonly #pollMs: number;
  readonly #shortcut: MailboxShortcut | null;
  /** This executor's end of the shortcut. */
  readonly #end: ShortcutExecutor = { started: (starts) => this.#handed(starts, []), finished: (ends) => this.#handed([], ends) };
  #listener: ExecutorListener | null = null;
  #unsubscribe: (() => void) | null = null;
  readonly #attempts = new Map<string, Remote>();
  /** Submitted, to be written on the next turn (or after a failed write's backoff). */
  #pending: Remote[] = [];
  #flushQueued = false;
  /** Inserts under way. */
  #flushing = 0;
  #writeFailures = 0;
  /** Cancels to write (a failed one waits here for its retry). */
  readonly #cancels = new Set<Remote>();
  #cancelling = false;
  #cancelFailures = 0;
  #polling = false;
  #pollAgain = false;
  #pollFailures = 0;
  #cancelPollTimer: (() => void) | null = null;
  #retryTimers = new Set<() => void>();
  #closing = false;
  /** Enlisted attempts whose rows became durable this turn: sent to their workers together. */
  #recorded: Remote[] = [];
  #shutdown: Promise<void> | null = null;
  #stopped = false;
  #drained: (() => void) | null = null;

  constructor(options: RemoteExecutorOptions) {
    this.#o = options;
    this.#logger = options.logger ?? silentLogger;
    this.capacity = options.window ?? DEFAULT_REMOTE_WINDOW;
    this.#pollMs = options.pollMs ?? (options.signal.crossProcess ? 1_000 : 100);
    this.#shortcut = options.shortcut === false ? null : shortcutOf(options.signal);
  }

  /** Every queue gets the same window: a queue without workers fills its own and blocks no other. */
  capacityFor(_queue: string): number {
    return this.capacity;
  }

  /** Attempts submitted and not yet reported finished (for metrics and tests). */
  get inFlight(): number {
    return this.#attempts.size;
  }

  async start(listener: ExecutorListener): Promise<void> {
    this.#listener = listener;
    this.#unsubscribe = this.#o.signal.subscribe(this.#o.schedulerId, () => {
      if (this.#attempts.size > 0) this.#pollSoon();
    });
    this.#shortcut?.executors.set(this.#o.schedulerId, this.#end);
  }

  /** Every queue's attempts are handed out in the scheduler's commit, unless turned off (`inCommit: false`) or stopping. */
  handsOffInCommit(_queue: string): boolean {
    return this.#o.inCommit !== false && !this.#closing && this.#listener !== null;
  }

  /**
   * The mailbox row of `request`, for the scheduler's commit: an API server of this process
   * chooses its worker now (written `assigned`, as by {@link #flush}); once the commit is durable,
   * {@link submit} sends it.
   */
  handOffRow(request: AttemptRequest): NewRemoteAttempt {
    const remote: Remote = { request, queue: request.task.queue ?? "default", state: "enlisted", cancelReason: null };
    const row = this.#row(remote, this.#o.clock.now());
    for (const hub of this.#hubs()) hub.assign([row]);
    remote.row = row;
    this.#attempts.set(request.attemptId, remote);
    return row;
  }

  submit(request: AttemptRequest): void {
    const enlisted = this.#attempts.get(request.attemptId);
    if (enlisted?.state === "enlisted" && enlisted.request === request) return this.#durable(enlisted);
    if (this.#closing) {
      this.#logger.warn({ attemptId: request.attemptId }, "remote executor is shutting down; attempt not accepted");
      return;
    }
    if (this.#attempts.has(request.attemptId)) {
      this.#logger.warn({ attemptId: request.attemptId }, "attempt already submitted; ignored");
      return;
    }
    const remote: Remote = { request, queue: request.task.queue ?? "default", state: "pending", cancelReason: null };
    this.#attempts.set(request.attemptId, remote);
    this.#pending.push(remote);
    this.#scheduleFlush();
  }

  cancel(attemptId: string, reason: string): void {
    const remote = this.#attempts.get(attemptId);
    if (remote === undefined || remote.cancelReason !== null) return;
    remote.cancelReason = reason;
    if (remote.state === "pending") {
      // Never written: reported at once (on a later tick: the listener is never re-entered from cancel()).
      this.#pending = this.#pending.filter((r) => r !== remote);
      this.#attempts.delete(attemptId);
      const now = this.#o.clock.now();
      queueMicrotask(() => this.#report({ attemptId, outcome: cancelledOutcome(reason), startedAt: now, endedAt: now, pid: null }));
      return;
    }
    // Being written (an insert, or the scheduler's commit): cancelled once it is through.
    if (remote.state !== "writing" && remote.state !== "enlisted") this.#cancelLater(remote);
  }

  /**
   * Stops taking work: what was never written is dropped without a report (the next scheduler
   * re-runs it as its recovery decides); running attempts get `graceMs` for their outcomes to
   * arrive. Then polling stops; what is left goes on on its workers until the adopting
   * scheduler releases it.
   */
  shutdown(graceMs: number): Promise<void> {
    if (this.#shutdown !== null) return this.#shutdown;
    this.#closing = true;
    for (const r of this.#pending) this.#attempts.delete(r.request.attemptId);
    this.#pending = [];
    return (this.#shutdown = new Promise<void>((resolve) => {
      let cancelGrace: () => void = () => {};
      const stop = () => {
        cancelGrace();
        this.#stop();
        resolve();
      };
      if (graceMs <= 0 || !this.#anyRunning()) return stop();
      this.#drained = stop;
      cancelGrace = this.#o.clock.setTimer(graceMs, stop);
    }));
  }

  // ── writes ─────────────────────────────────────────────────────────────────────────────

  #scheduleFlush(): void {
    if (this.#flushQueued || this.#flushing >= MAX_FLUSHES) return;
    this.#flushQueued = true;
    // One insert per turn of the event loop: what the scheduler dispatched in one turn goes together.
    setImmediate(() => {
      this.#flushQueued = false;
      void this.#flush();
    });
  }

  async #flush(): Promise<void> {
    if (this.#stopped || this.#pending.length === 0) return;
    this.#flushing++;
    const batch = this.#pending;
    this.#pending = [];
    for (const r of batch) r.state = "writing";
    const now = this.#o.clock.now();
    const rows: NewRemoteAttempt[] = batch.map((r) => this.#row(r, now));
    // An API server of this process assigns what its workers have room for: written `assigned`, no claim.
    const hubs = this.#hubs();
    for (const hub of hubs) hub.assign(rows);
    let inserted: ReadonlySet<string>;
    try {
      inserted = new Set(await this.#o.mailbox.enqueueRemoteAttempts(rows));
    } catch (err) {
      for (const hub of hubs) hub.written(rows, new Set(), true);
      // Written again, first, after a backoff (an insert of an attempt already there does nothing).
      this.#writeFailures++;
      for (const r of batch) r.state = "pending";
      this.#pending = [...batch.filter((r) => this.#attempts.get(r.request.attemptId) === r), ...this.#pending];
      this.#logger.warn({ err, attempts: batch.length, failures: this.#writeFailures }, "could not hand attempts to remote workers; will try again");
      this.#flushing--;
      this.#retryAfter(backoffMs(this.#writeFailures), () => void this.#flush());
      return;
    }
    this.#writeFailures = 0;
    for (const r of batch) {
      r.state = "queued";
      if (r.cancelReason !== null) this.#cancelLater(r);
    }
    for (const hub of hubs) hub.written(rows, inserted);
    // Only rows left `queued` need an API server's claim.
    if (rows.some((r) => r.workerId === undefined)) this.#o.signal.notify(HUB_TARGET);
    this.#armPoll();
    this.#flushing--;
    if (this.#pending.length > 0) this.#scheduleFlush();
  }

  #row(r: Remote, now: number): NewRemoteAttempt {
    return {
      attemptId: r.request.attemptId,
      runPk: r.request.runPk,
      schedulerId: this.#o.schedulerId,
      queue: r.queue,
      request: r.request,
      // Serialised once: the insert writes it and the API server of this process sends it as is,
      // or by its run part (its own fields' JSON is kept for that, and the run's context's).
      requestJson: requestJsonOf(r.request),
      createdAt: now,
    };
  }

  #hubs(): ShortcutHub[] {
    return this.#shortcut === null ? [] : [...this.#shortcut.hubs];
  }

  /** The scheduler's commit holding an enlisted attempt's row is durable: it is in the mailbox now. */
  #durable(remote: Remote): void {
    remote.state = "queued";
    this.#recorded.push(remote);
    if (this.#recorded.length === 1) queueMicrotask(() => this.#sendRecorded());
  }

  /** Sends the rows made durable in this turn to the workers chosen for them (one `run` per worker). */
  #sendRecorded(): void {
    const batch = this.#recorded;
    this.#recorded = [];
    const rows = batch.map((r) => r.row!);
    for (const r of batch) delete r.row;
    // Also while this scheduler stops (its last commits land after the executor's shutdown): the
    // rows are written, so they go to their workers, as an insert under way at a shutdown does;
    // what is still out when the grace ends goes on there until the adopter releases it.
    const ids = new Set(rows.map((r) => r.attemptId));
    for (const hub of this.#hubs()) hub.written(rows, ids);
    if (rows.some((r) => r.workerId === undefined)) this.#o.signal.notify(HUB_TARGET);
    for (const r of batch) if (r.cancelReason !== null) this.#cancelLater(r);
    this.#armPoll();
  }

  #cancelLater(remote: Remote): void {
    this.#cancels.add(remote);
    if (!this.#cancelling) void this.#writeCancels();
  }

  async #writeCancels(): Promise<void> {
    if (this.#stopped) return;
    this.#cancelling = true;
    for (const remote of [...this.#cancels]) {
      const id = remote.request.attemptId;
      const reason = remote.cancelReason!;
      try {
        const there = await this.#o.mailbox.cancelRemoteAttempt(id, reason, cancelledOutcome(reason), this.#o.clock.now());
        this.#cancels.delete(remote);
        this.#cancelFailures = 0;
        // No row: it was taken as finished meanwhile, or released by another scheduler; nothing more will come.
        if (!there && this.#attempts.get(id) === remote) {
          this.#attempts.delete(id);
          const now = this.#o.clock.now();
          this.#report({ attemptId: id, outcome: cancelledOutcome(reason), startedAt: now, endedAt: now, pid: null });
        }
      } catch (err) {
        this.#cancelFailures++;
        this.#logger.warn({ err, attemptId: id, failures: this.#cancelFailures }, "could not ask remote workers to stop an attempt; will try again");
        this.#cancelling = false;
        this.#retryAfter(backoffMs(this.#cancelFailures), () => void this.#writeCancels());
        return;
      }
    }
    this.#cancelling = false;
    this.#o.signal.notify(HUB_CANCEL_TARGET);
    // A queued attempt is finished at once by its cancel: take that outcome now.
    this.#pollSoon();
  }

  // ── outcomes ───────────────────────────────────────────────────────────────────────────

  #pollSoon(): void {
    if (this.#stopped) return;
    if (this.#polling) {
      this.#pollAgain = true;
      return;
    }
    this.#cancelPollTimer?.();
    this.#cancelPollTimer = null;
    void this.#poll();
  }

  async #poll(): Promise<void> {
    this.#polling = true;
    this.#pollAgain = false;
    const awaitingStart: string[] = [];
    for (const [id, r] of this.#attempts) if (r.state === "queued") awaitingStart.push(id);
    let delay = this.#pollMs;
    try {
      const updates = await this.#o.mailbox.takeRemoteUpdates(this.#o.schedulerId, awaitingStart);
      this.#pollFailures = 0;
      this.#apply(updates.started, updates.finished);
    } catch (err) {
      this.#pollFailures++;
      delay = Math.max(this.#pollMs, backoffMs(this.#pollFailures));
      this.#logger.warn({ err, failures: this.#pollFailures }, "could not read remote attempts' outcomes; will try again");
    }
    this.#polling = false;
    if (this.#drained !== null && !this.#anyRunning()) this.#drained();
    if (this.#stopped) return;
    if (this.#pollAgain && this.#pollFailures === 0) this.#pollSoon();
    else this.#armPoll(delay);
  }

  /** Starts and outcomes an API server of this process handed over (their rows already updated or deleted). */
  #handed(starts: ShortcutStart[], ends: ShortcutEnd[]): void {
    if (this.#stopped) return;
    const queued = ends.filter((e) => this.#attempts.get(e.attemptId)?.state === "queued");
    this.#apply([...starts, ...queued], ends);
    if (this.#drained !== null && !this.#anyRunning()) this.#drained();
  }

  #apply(started: Pick<RemoteAttemptRecord, "attemptId" | "startedAt" | "pid" | "workerId">[], finished: ShortcutEnd[]): void {
    const now = this.#o.clock.now();
    for (const s of started) {
      const r = this.#attempts.get(s.attemptId);
      if (r === undefined || r.state !== "queued") continue;
      r.state = "running";
      this.#call(() => this.#listener?.started(s.attemptId, s.startedAt ?? now, s.pid, s.workerId ?? undefined));
    }
    for (const row of finished) {
      if (!this.#attempts.delete(row.attemptId)) continue; // already reported (cancelled before it was written)
      this.#cancels.forEach((c) => c.request.attemptId === row.attemptId && this.#cancels.delete(c));
      const outcome = row.outcome ?? { kind: "crashed" as const, error: "the remote attempt ended without an outcome" };
      const endedAt = row.endedAt ?? now;
      this.#report({
        attemptId: row.attemptId,
        outcome,
        startedAt: row.startedAt ?? endedAt,
        endedAt,
        pid: row.pid,
        ...(row.workerId === null ? {} : { worker: row.workerId }),
      });
    }
  }

  /** Polls after `ms` on the clock, only while attempts are out there. */
  #armPoll(ms = this.#pollMs): void {
    if (this.#stopped || this.#cancelPollTimer !== null || !this.#anyOut()) return;
    this.#cancelPollTimer = this.#o.clock.setTimer(ms, () => {
      this.#cancelPollTimer = null;
      this.#pollSoon();
    });
  }

  #report(report: AttemptReport): void {
    this.#call(() => this.#listener?.finished(report));
    if (this.#drained !== null && !this.#anyRunning()) this.#drained();
  }

  /** A listener that throws never costs the other reports of a batch. */
  #call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.#logger.error({ err }, "remote executor listener failed");
    }
  }

  #anyOut(): boolean {
    for (const r of this.#attempts.values()) if (r.state !== "pending" && r.state !== "enlisted") return true;
    return false;
  }

  #anyRunning(): boolean {
    for (const r of this.#attempts.values()) if (r.state === "running") return true;
    return false;
  }

  #retryAfter(ms: number, fn: () => void): void {
    const cancel = this.#o.clock.setTimer(ms, () => {
      this.#retryTimers.delete(cancel);
      fn();
    });
    this.#retryTimers.add(cancel);
  }

  #stop(): void {
    this.#stopped = true;
    this.#drained = null;
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    if (this.#shortcut?.executors.get(this.#o.schedulerId) === this.#end) this.#shortcut.executors.delete(this.#o.schedulerId);
    this.#cancelPollTimer?.();
    this.#cancelPollTimer = null;
    for (const cancel of this.#retryTimers) cancel();
    this.#retryTimers.clear();
  }
}

function backoffMs(failures: number): number {
  return Math.min(MAX_BACKOFF_MS, 100 * 2 ** Math.min(failures - 1, 10));
}
