import type { TaskInstanceRecord } from "../core/model/records.js";
import { DEFAULT_QUEUE } from "../core/model/workers.js";
import type { AttemptRequest } from "../core/ports/executor.js";
import { type ActiveRun, tiKey } from "./active-run.js";
import { mapOf } from "./mapped-tasks.js";
import { buildAttemptRequest } from "./attempt-request.js";
import type { Claim } from "./dispatcher.js";
import type { InFlight } from "./in-flight.js";
import { UnreadableOutputError } from "./task-outputs.js";
import type { SchedulerState } from "./scheduler-state.js";

/** Told when a task instance reached a final state without running (its downstream is decided). */
export type EndedListener = (run: ActiveRun, ti: TaskInstanceRecord, now: number) => void;

/**
 * The dispatch loop: ready task instances go to the executor within the limits (executor
 * capacity per queue, pools, max active tasks, max active copies, priority), or are parked until a
 * slot frees; retries come back to the ready queue on their timer.
 */
export class DispatchLoop {
  private readonly retryTimers = new Map<string, () => void>();

  constructor(
    private readonly s: SchedulerState,
    private readonly ended: EndedListener,
  ) {
    // The dispatch window: attempts recorded ahead of the executor's slots (Executor.stagingFor).
    // A freed slot is handed on after the code that freed it: a stop that ends several attempts
    // at once (a run marked or cancelled) ends its staged ones before any could go out.
    s.dispatcher.useStaging(
      (queue) => s.executor.stagingFor?.(queue) ?? 0,
      (queue) => queueMicrotask(() => this.handOutStaged(queue)),
    );
  }

  enqueue(run: ActiveRun, ti: TaskInstanceRecord): void {
    this.s.dispatcher.ready.push({
      runPk: run.pk,
      taskId: tiKey(ti.taskId, ti.mapIndex),
      priority: ti.priority,
      backfill: run.run.runType === "backfill",
      queue: queueOf(run, ti.taskId),
    });
  }

  /** Puts task instance `taskId` (a {@link tiKey}) back in the ready queue after `delayMs`. */
  scheduleRetry(run: ActiveRun, taskId: string, delayMs: number): void {
    const s = this.s;
    const key = `${run.pk}/${taskId}`;
    this.retryTimers.get(key)?.();
    this.retryTimers.set(
      key,
      s.clock.setTimer(delayMs, () => {
        this.retryTimers.delete(key);
        if (s.stopping || !s.runs.has(run.pk) || run.tis.get(taskId)?.state !== "up_for_retry") return;
        const now = s.clock.now();
        const ti = s.writer.task(run, taskId, { state: "scheduled", nextRetryAt: null }, now);
        this.enqueue(run, ti);
        this.pump();
      }),
    );
  }

  /** No more retries: part of any stop. */
  cancelRetries(): void {
    for (const cancel of this.retryTimers.values()) cancel();
    this.retryTimers.clear();
  }

  pump(): void {
    const s = this.s;
    if (s.stopping || !s.live) return;
    const d = s.dispatcher;
    for (let item = d.next(); item !== undefined; item = d.next()) {
      const run = s.runs.get(item.runPk);
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
      const claim: Claim = { dagId: run.dagId, pool: ti.pool, poolSlots: ti.poolSlots, queue: item.queue ?? DEFAULT_QUEUE };
      const poolSize = s.pools.get(ti.pool);
      if (poolSize === undefined || ti.poolSlots > poolSize) {
        this.failUnrunnable(
          run,
          ti,
          poolSize === undefined
            ? `pool "${ti.pool}" does not exist; existing pools: ${[...s.pools.keys()].join(", ")}`
            : `task needs ${ti.poolSlots} slots but pool "${ti.pool}" has only ${poolSize}`,
        );
        continue;
      }
      const admission = d.admit(claim);
      if (admission !== "ok") {
        d.park(item, admission, claim);
        if (admission === "pool_full") s.grants?.parked(claim.pool);
        continue;
      }
      this.dispatch(run, ti, claim);
    }
  }

  private dispatch(run: ActiveRun, ti: TaskInstanceRecord, claim: Claim): void {
    const s = this.s;
    const now = s.clock.now();
    const tryNumber = ti.tryNumber + 1;
    const key = tiKey(ti.taskId, ti.mapIndex);
    const queued = { state: "queued", tryNumber, queuedAt: now, error: null } as const;
    let request: AttemptRequest;
    try {
      request = buildAttemptRequest(run, { ...ti, ...queued }, s.opts.logsDir, s.opts.maxOutputBytes, s.outputs);
    } catch (e) {
      // An input sealed with another key: this task fails, the scheduler goes on.
      if (e instanceof UnreadableOutputError) return this.failUnrunnable(run, ti, e.message);
      throw e;
    }
    s.writer.task(run, key, queued, now);
    // Spelled out, not spread from the claim: every in-flight record has one hidden class, so
    // the code reading them stays monomorphic (docs/benchmark.md, session 10).
    const f: InFlight = {
      dagId: claim.dagId,
      pool: claim.pool,
      poolSlots: claim.poolSlots,
      queue: claim.queue,
      handedOut: false,
      runPk: run.pk,
      taskId: ti.taskId,
      mapIndex: ti.mapIndex,
      key,
      tryNumber,
      logPath: request.logPath,
      state: "queued",
      startedAt: null,
      worker: null,
    };
    s.inFlight.add(request.attemptId, f);
    // User code starts only once the attempt's `queued` state is durable: an execution always has
    // a record, and a scheduler that adopts this one's runs never hands out the same try again.
    if (s.executor.handsOffInCommit?.(f.queue) === true && s.dispatcher.handOut(f)) {
      // Remote workers: the mailbox row rides in the same commit as the record (no write of its own).
      s.uow.remoteAttempt(s.executor.handOffRow!(request));
      s.uow.whenDurable(() => s.executor.submit(request));
      return;
    }
    s.uow.whenDurable(() => this.handOut(request));
  }

  /**
   * A durable attempt goes to the executor when one of its queue's slots is free; otherwise it
   * waits, staged, until one frees (the dispatch window, Dispatcher.useStaging).
   */
  private handOut(request: AttemptRequest): void {
    const s = this.s;
    const f = s.inFlight.get(request.attemptId);
    // Ended meanwhile (cleared, its run cancelled or marked), or this scheduler is stopping.
    if (s.stopping || f === undefined || f.state !== "queued" || f.handedOut) return;
    if (s.dispatcher.handOut(f)) s.executor.submit(request);
    else s.dispatcher.stage(f.queue, request);
  }

  /** An executor slot of `queue` freed: the oldest staged attempt still waiting takes it. */
  private handOutStaged(queue: string): void {
    const s = this.s;
    const d = s.dispatcher;
    for (let request = d.takeStaged(queue); request !== undefined; request = d.takeStaged(queue)) {
      const f = s.inFlight.get(request.attemptId);
      if (f === undefined || f.state !== "queued" || f.handedOut) continue; // ended while staged
      if (s.stopping) return;
      if (d.handOut(f)) s.executor.submit(request);
      else d.stage(f.queue, request, true);
      return;
    }
  }

  private failUnrunnable(run: ActiveRun, ti: TaskInstanceRecord, error: string): void {
    const s = this.s;
    const now = s.clock.now();
    s.logger.error({ dagId: run.dagId, taskId: ti.taskId }, error);
    const failed = s.writer.task(run, tiKey(ti.taskId, ti.mapIndex), { state: "failed", error, endedAt: now }, now);
    this.ended(run, failed, now);
  }
}

/** The executor queue of a task: its `queue` option; "default" when absent (specs stored before queues). */
function queueOf(run: ActiveRun, taskId: string): string {
  return run.graph.tasks.get(taskId)?.queue ?? DEFAULT_QUEUE;
}
