import type { AttemptRecord, RunRecord, TaskInstanceRecord } from "../core/model/records.js";
import { resolveParams } from "../core/params/resolve-params.js";
import type { AttemptReport } from "../core/ports/executor.js";
import type { ChangeCause } from "../core/model/domain-events.js";
import { decideTasks } from "../core/scheduling/decide-tasks.js";
import { runOutcome } from "../core/scheduling/run-outcome.js";
import { ActiveRun } from "./active-run.js";
import { expandMappedTask, mapOf, settleMappedTask } from "./mapped-tasks.js";
import { applyOutcome } from "./apply-outcome.js";
import { recoverRun } from "./recovery.js";
import { endLiveRun, type CommandHost } from "./run-commands.js";
import { pastAllows } from "./depends-on-past.js";
import { loadPrevSuccess, notePrevSuccess } from "./prev-success.js";
import { STUCK_IN_QUEUED, STUCK_IN_QUEUED_REQUEUES, type StuckAttempt } from "./queued-timeouts.js";
import type { DispatchLoop } from "./dispatch-loop.js";
import type { SchedulerState } from "./scheduler-state.js";

/**
 * The life of a run in memory: activated (new or recovered), its task instances decided as
 * upstream ones end (attempts' outcomes, mapped tasks, depends_on_past), stopped by commands or
 * its timeout, and finished once nothing more can happen.
 */
export class RunLifecycle {
  constructor(
    private readonly s: SchedulerState,
    private readonly loop: DispatchLoop,
    /** Asks for a tick soon (a finished run may let a queued one start). */
    private readonly wake: () => void,
  ) {}

  /**
   * Loads runs left running by a scheduler that stopped, died or was fenced, by the recovery
   * rules; their remote attempts are given up first, so their old tries are stopped on their
   * workers and their outcomes never applied (remote-release.ts).
   */
  async recover(runs: RunRecord[]): Promise<void> {
    // Runs already held (a retried adoption) are this scheduler's own: their attempts stay.
    const lost = runs.filter((r) => !this.s.runs.has(r.id));
    await this.s.releaseRemote?.(lost.map((r) => r.id));
    for (const run of lost) await this.activate(run, true);
  }

  /** Loads a run into memory and starts deciding its tasks. */
  async activate(run: RunRecord, recovering: boolean): Promise<void> {
    const now = this.s.clock.now();
    // A promoted run arrives "running"; the store still has it queued.
    const queued: RunRecord = recovering ? run : { ...run, state: "queued" };
    const v = await this.s.versions.get(run.dagVersion);
    if (!v) {
      this.s.writer.run(queued, { state: "failed", endedAt: now, note: `DAG version ${run.dagVersion} is missing` }, now);
      return;
    }
    let params: Record<string, unknown>;
    try {
      params = resolveParams(v.version.spec.paramsSchema, v.version.spec.paramsDefaults, run.conf);
    } catch (error) {
      this.s.writer.run(queued, { state: "failed", startedAt: now, endedAt: now, note: (error as Error).message }, now);
      return;
    }
    const stored = await this.s.store.listTaskInstances(run.id);
    // Offloaded return values are read back: downstream tasks get them from memory as before.
    const tis = this.s.offloader ? await this.s.offloader.resolve(run.id, run.dagId, run.runId, stored) : stored;
    const prevSuccess = await loadPrevSuccess(this.s.store, run);
    const active = new ActiveRun(run, v.version, v.graph, params, tis);
    active.prevSuccess = prevSuccess;
    this.s.runs.set(run.id, active);
    if (!recovering) active.run = this.s.writer.run(queued, { state: "running", startedAt: run.startedAt ?? now }, now);
    const retries = recovering ? recoverRun(active, now, this.s.writer) : [];
    for (const r of retries) this.loop.scheduleRetry(active, r.taskId, r.delayMs);
    if (recovering) this.s.sensorWaits.recover(active, now);
    // A mapped task whose last copies ended as the previous process stopped gets its state now.
    for (const taskId of active.copies.keys()) {
      settleMappedTask(this.s.writer, active, taskId, now, this.s.outputs);
    }
    for (const ti of active.tis.values()) if (ti.state === "scheduled") this.loop.enqueue(active, ti);
    this.propagate(active, null, now);
  }

  // ── executor events ──────────────────────────────────────────────────────────────────────

  /** `worker`: the remote worker running it (docs/workers.md); absent for the local pool. */
  attemptStarted(attemptId: string, at: number, pid: number | null, worker?: string): void {
    const f = this.s.inFlight.get(attemptId);
    const run = f && this.s.runs.get(f.runPk);
    if (run) this.s.inFlight.started(run, attemptId, at, pid, worker ?? null);
  }

  attemptFinished(report: AttemptReport): void {
    const f = this.s.inFlight.get(report.attemptId);
    if (!f) return;
    const run = this.s.runs.get(f.runPk);
    const now = this.s.clock.now();
    if (!run) {
      // Its run is no longer held: only the slot is freed.
      this.s.inFlight.end(report.attemptId, undefined, { state: "failed", endedAt: report.endedAt, error: null, pid: report.pid }, now);
    } else {
      const result = applyOutcome(this.s.writer, run, f.key, this.s.outputs.sealReport(run, f, report), now);
      const how = {
        state: result.attemptState,
        startedAt: report.startedAt,
        endedAt: report.endedAt,
        error: result.ti.error,
        pid: report.pid,
        worker: report.worker ?? null,
      };
      this.s.inFlight.end(report.attemptId, run, how, now);
      this.s.sensorWaits.settled(run, result.ti, now);
      if (result.ti.state === "success" && f.mapIndex < 0) this.recordOutlets(run, f.taskId, f.tryNumber, now);
      if (result.ti.state === "up_for_retry" && result.ti.nextRetryAt !== null) {
        this.loop.scheduleRetry(run, f.key, result.ti.nextRetryAt - now);
        if (f.mapIndex >= 0) this.releaseWaitingCopy(run, f.taskId);
      } else {
        this.ended(run, result.ti, now);
      }
    }
    this.loop.pump();
  }

  /**
   * An attempt handed out has not started within the queued timeout (Airflow's
   * task_queued_timeout): it is taken back from the executor and recorded failed, never started.
   * The first {@link STUCK_IN_QUEUED_REQUEUES} times in a row its task instance is queued again at
   * once, as an infrastructure try that uses none of its retries (Airflow sets it back to
   * scheduled); the next time it fails, without retries (Airflow marks it failed).
   */
  async attemptStuckInQueued(stuck: StuckAttempt, timeoutMs: number): Promise<void> {
    const f = stuck.attempt;
    const run = this.s.runs.get(f.runPk);
    if (!run) return;
    const history = await this.s.store.listAttempts(run.pk, f.taskId);
    // Started or ended while the history was read: nothing is stuck.
    if (this.s.inFlight.get(stuck.attemptId) !== f || f.state !== "queued") return;
    const requeued = stuckInARow(history.filter((a) => a.mapIndex === f.mapIndex && a.tryNumber < f.tryNumber));
    const now = this.s.clock.now();
    const waited = `not started within ${Math.round(timeoutMs / 1000)} s (the task queued timeout) while nothing else of its queue ran`;
    const final = requeued >= STUCK_IN_QUEUED_REQUEUES;
    const error = final
      ? `${STUCK_IN_QUEUED}: ${waited}, queued again ${requeued} times already; failed`
      : `${STUCK_IN_QUEUED}: ${waited}; queued again (${requeued + 1} of ${STUCK_IN_QUEUED_REQUEUES})`;
    this.s.logger.warn({ dagId: run.dagId, runId: run.run.runId, taskId: f.taskId, mapIndex: f.mapIndex, tryNumber: f.tryNumber }, error);
    // Ended first: the executor may report the taken-back attempt at once, and it must find it gone.
    this.s.inFlight.end(stuck.attemptId, run, { state: "failed", startedAt: null, endedAt: now, error, pid: null }, now);
    this.s.executor.cancel(stuck.attemptId, error);
    const ti = run.tis.get(f.key)!;
    if (final) {
      const failed = this.s.writer.task(run, f.key, { state: "failed", error, endedAt: now, nextRetryAt: null }, now);
      this.s.sensorWaits.settled(run, failed, now);
      this.ended(run, failed, now);
    } else {
      this.s.writer.task(run, f.key, { state: "up_for_retry", error, endedAt: now, nextRetryAt: now, infraTries: (ti.infraTries ?? 0) + 1 }, now);
      this.loop.scheduleRetry(run, f.key, 0);
      if (f.mapIndex >= 0) this.releaseWaitingCopy(run, f.taskId);
    }
    this.loop.pump();
  }

  /** A task with outlets succeeded: each of its datasets gets an event, written with the success. */
  recordOutlets(run: ActiveRun, taskId: string, tryNumber: number, now: number): void {
    if (!this.s.datasets) return;
    // Specs stored before datasets existed have no outlets.
    const outlets: readonly string[] = run.graph.tasks.get(taskId)?.outlets ?? [];
    for (const uri of outlets) {
      this.s.uow.datasetEvent({ uri, source: { dagId: run.dagId, runId: run.run.runId, taskId, tryNumber }, extra: {}, createdAt: now });
    }
  }

  /**
   * A task instance reached a final state: decide its downstream; for a copy of a mapped task, let
   * a waiting copy run and, when it was the last, settle the mapped task and decide its downstream.
   */
  ended(run: ActiveRun, ti: TaskInstanceRecord, now: number): void {
    if (ti.mapIndex < 0) {
      this.propagate(run, [ti.taskId], now);
      return;
    }
    this.releaseWaitingCopy(run, ti.taskId);
    const parent = settleMappedTask(this.s.writer, run, ti.taskId, now, this.s.outputs);
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
    if (ti?.state === "scheduled") this.loop.enqueue(run, ti);
  }

  // ── decisions ────────────────────────────────────────────────────────────────────────────

  /** Decides the fate of tasks downstream of `changed` (or all tasks) and checks the run. */
  propagate(run: ActiveRun, changed: string[] | null, now: number): void {
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
      const ti = this.s.writer.task(run, taskId, { state, ...(state === "scheduled" ? {} : { endedAt: now }) }, now, state !== "scheduled");
      if (state === "scheduled") this.loop.enqueue(run, ti);
    }
    // Mapped tasks that ended at once (empty or bad lists) decide their own downstream.
    if (settled.length > 0) this.propagate(run, settled, now);
    else this.checkRunDone(run, now);
  }

  /** Creates a mapped task's copies and queues them; true when it ended at once instead. */
  private expand(run: ActiveRun, taskId: string, now: number): boolean {
    const out = expandMappedTask(this.s.writer, run, taskId, now, this.s.outputs);
    for (const ti of out.ready) this.loop.enqueue(run, ti);
    if (!out.settled) this.s.logger.info({ dagId: run.dagId, runId: run.run.runId, taskId, copies: out.ready.length }, "mapped task expanded");
    return out.settled;
  }

  private checkRunDone(run: ActiveRun, now: number): void {
    if (run.active > 0) return;
    const outcome = runOutcome(run.graph, run.views, run.blocked);
    if (outcome === "running") return;
    const note = outcome === "deadlocked" ? "deadlocked: no task can make progress" : null;
    this.finishRun(run, outcome === "success" ? "success" : "failed", note, now);
  }

  private finishRun(run: ActiveRun, state: "success" | "failed", note: string | null, now: number, cause: ChangeCause = null): void {
    if (this.s.runs.get(run.pk) !== run) return;
    run.run = this.s.writer.run(run.run, { state, endedAt: now, note }, now, cause);
    this.s.runs.delete(run.pk);
    this.s.dispatcher.dropRun(run.pk);
    this.s.sensorWaits.cancel(run, null);
    this.s.logger.info({ dagId: run.dagId, runId: run.run.runId, state, note }, "run finished");
    const finished = run.run;
    notePrevSuccess(finished, this.s.runs.values());
    // Waiters hear of the end once it is durable (a failed commit is retried first).
    void this.s.uow.flushRun(run.pk).then(() => {
      if (!this.s.runs.has(run.pk)) this.s.offloader?.forget(run.pk);
      this.s.waiters.finished(finished);
    });
    this.wake();
  }

  /** depends_on_past reads the store; a failed read leaves the task blocked until the next tick asks again. */
  checkPastSafely(run: ActiveRun, taskId: string): void {
    this.checkPast(run, taskId).catch((err: unknown) => {
      this.s.logger.warn({ dagId: run.dagId, runId: run.run.runId, taskId, err }, "depends_on_past check failed; retrying on the next tick");
    });
  }

  private async checkPast(run: ActiveRun, taskId: string): Promise<void> {
    const ok = await pastAllows(this.s.store, run, taskId, (pk) => this.s.runs.get(pk));
    if (!ok || !this.s.runs.has(run.pk) || run.tis.get(taskId)?.state !== "none") return;
    run.blocked.delete(taskId);
    const now = this.s.clock.now();
    if (mapOf(run, taskId)) {
      if (this.expand(run, taskId, now)) this.propagate(run, [taskId], now);
      this.loop.pump();
      return;
    }
    const ti = this.s.writer.task(run, taskId, { state: "scheduled" }, now);
    this.loop.enqueue(run, ti);
    this.loop.pump();
  }

  // ── commands and timeouts ────────────────────────────────────────────────────────────────

  get commandHost(): CommandHost {
    return {
      store: this.s.store,
      writer: this.s.writer,
      now: () => this.s.clock.now(),
      active: (dagId, runId) => [...this.s.runs.values()].find((r) => r.dagId === dagId && r.run.runId === runId),
      version: (hash) => this.s.versions.get(hash),
      stopAttempts: (run, taskIds, reason) => this.stopAttempts(run, taskIds, reason),
      propagate: (run, changed, now) => {
        this.propagate(run, changed, now);
        this.loop.pump();
      },
      enqueue: (run, ti) => this.loop.enqueue(run, ti),
      finishRun: (run, state, note, now, cause) => this.finishRun(run, state, note, now, cause),
    };
  }

  /**
   * Kills in-flight attempts of a run (some tasks or all): each ends recorded failed, its slot
   * freed. Deferred sensors' waits end the same way.
   */
  private stopAttempts(run: ActiveRun, taskIds: ReadonlySet<string> | null, reason: string): void {
    const now = this.s.clock.now();
    this.s.sensorWaits.cancel(run, taskIds, `stopped: ${reason}`, now);
    for (const attemptId of this.s.inFlight.ofRun(run.pk, taskIds)) {
      // Ended first: an executor may report the cancelled attempt at once, and it must find it gone.
      this.s.inFlight.end(attemptId, run, { state: "failed", endedAt: now, error: `stopped: ${reason}`, pid: null }, now);
      this.s.executor.cancel(attemptId, reason);
    }
  }

  checkRunTimeouts(now: number): void {
    for (const run of [...this.s.runs.values()]) {
      const limit = run.version.spec.runTimeoutMs;
      if (limit === null || run.run.startedAt === null || now - run.run.startedAt < limit) continue;
      endLiveRun(this.commandHost, run, "failed", `run timed out after ${limit} ms`, now);
    }
  }
}

/** How many of the latest attempts (by try) were taken back stuck in queued, in a row. */
function stuckInARow(attempts: readonly AttemptRecord[]): number {
  const latestFirst = [...attempts].sort((a, b) => b.tryNumber - a.tryNumber);
  let n = 0;
  for (const a of latestFirst) {
    if (a.startedAt !== null || !a.error?.startsWith(STUCK_IN_QUEUED)) break;
    n++;
  }
  return n;
}
