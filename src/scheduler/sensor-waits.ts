import { appendFile } from "node:fs/promises";
import type { TaskInstanceRecord } from "../core/model/records.js";
import type { TaskState } from "../core/model/states.js";
import type { Clock } from "../core/ports/clock.js";
import type { AttemptOutcome, AttemptReport } from "../core/ports/executor.js";
import type { Logger } from "../core/ports/logger.js";
import type { TriggerEvent, Triggerer } from "../core/ports/triggerer.js";
import { tiKey, type ActiveRun } from "./active-run.js";
import { applyOutcome } from "./apply-outcome.js";
import { attemptLogPath } from "./attempt-request.js";
import type { StateWriter } from "./state-writer.js";

export interface SensorWaitsDeps {
  clock: Clock;
  logger: Logger;
  writer: StateWriter;
  /** Runs deferred sensors' checks; none → a deferred sensor fails with a message saying so. */
  triggerer: Triggerer | undefined;
  logsDir: string;
  maxOutputBytes: number;
  /** Whether the run is still held by the scheduler. */
  isActive(run: ActiveRun): boolean;
  /** Puts a (scheduled) task instance in the ready queue and dispatches. */
  requeue(run: ActiveRun, ti: TaskInstanceRecord): void;
  /** After a deferred sensor's end was recorded: outlets, retry or downstream decisions, dispatch. */
  afterEnd(run: ActiveRun, ti: TaskInstanceRecord, now: number): void;
}

const NO_TRIGGERER =
  'this sensor uses mode "deferred", but the scheduler runs without a triggerer (it is started by `baton standalone` and `baton dags test`); ' +
  'use mode "reschedule" instead, or run it with a scheduler that has one';

/**
 * Sensors in reschedule and deferred mode between pokes, in the scheduler: a timer per
 * up_for_reschedule instance that puts it back to scheduled when its next poke is due, and a
 * triggerer watch per deferred instance that ends it when its check passes or times out. Neither
 * holds a worker or pool slot. Both are re-armed from the store after a restart.
 */
export class SensorWaits {
  readonly #timers = new Map<string, () => void>();
  /** Triggerer watches in progress, by the same key. */
  readonly #watching = new Set<string>();

  constructor(private readonly deps: SensorWaitsDeps) {}

  /**
   * Called after every attempt outcome: arms the wait of a rescheduled or deferred sensor, and
   * forgets the progress of one that ended. A reschedule-mode sensor going to a retry keeps it: as
   * in Airflow, its timeout counts from the first poke of its first try, and retries do not reset
   * it (a deferred sensor's retry starts a new wait, as Airflow's defer timeout does).
   */
  settled(run: ActiveRun, ti: TaskInstanceRecord, now: number): void {
    const key = tiKey(ti.taskId, ti.mapIndex);
    if (ti.state === "up_for_reschedule") this.#arm(run, key, Math.max(0, (ti.nextRetryAt ?? now) - now));
    else if (ti.state === "deferred") this.#watch(run, key, ti);
    else if (ti.state === "up_for_retry" && ti.sensorWait && ti.sensorWait.trigger === null) return;
    else if (ti.sensorWait) this.deps.writer.task(run, key, { sensorWait: null }, now);
  }

  /** After a restart: re-arms the waits of a recovered run's rescheduled and deferred sensors. */
  recover(run: ActiveRun, now: number): void {
    for (const ti of [...run.tis.values()]) {
      if (ti.state === "up_for_reschedule" || ti.state === "deferred") this.settled(run, ti, now);
    }
  }

  /**
   * Stops the waits of some task ids of a run (clear, mark), or all of them (run ended). With
   * `error`, a deferred sensor's attempt, which goes on in the triggerer, ends recorded failed.
   */
  cancel(run: ActiveRun, taskIds: ReadonlySet<string> | null, error?: string, now = this.deps.clock.now()): void {
    if (this.#timers.size === 0 && this.#watching.size === 0) return;
    for (const ti of run.tis.values()) {
      if (taskIds && !taskIds.has(ti.taskId)) continue;
      const k = `${run.pk}/${tiKey(ti.taskId, ti.mapIndex)}`;
      this.#timers.get(k)?.();
      this.#timers.delete(k);
      if (!this.#watching.delete(k)) continue;
      this.deps.triggerer?.cancel(k);
      if (error !== undefined && ti.state === "deferred") this.#recordEnd(run, ti, ti.tryNumber, "failed", error, now);
    }
  }

  /** Scheduler stop: timers and watches end; the rows stay up_for_reschedule / deferred for the next start. */
  stop(): void {
    for (const cancel of this.#timers.values()) cancel();
    this.#timers.clear();
    for (const k of this.#watching) this.deps.triggerer?.cancel(k);
    this.#watching.clear();
  }

  #arm(run: ActiveRun, key: string, delayMs: number): void {
    const k = `${run.pk}/${key}`;
    this.#timers.get(k)?.();
    this.#timers.set(
      k,
      this.deps.clock.setTimer(delayMs, () => {
        this.#timers.delete(k);
        if (!this.deps.isActive(run) || run.tis.get(key)?.state !== "up_for_reschedule") return;
        const now = this.deps.clock.now();
        const ti = this.deps.writer.task(run, key, { state: "scheduled", nextRetryAt: null }, now);
        this.deps.requeue(run, ti);
      }),
    );
  }

  #watch(run: ActiveRun, key: string, ti: TaskInstanceRecord): void {
    const k = `${run.pk}/${key}`;
    const trigger = ti.sensorWait?.trigger;
    const triggerer = this.deps.triggerer;
    if (!triggerer || !trigger) {
      // Recorded after this turn: settled() may run inside the outcome that deferred it.
      queueMicrotask(() =>
        this.#end(run, key, ti.tryNumber, { kind: "failed", error: trigger ? NO_TRIGGERER : "deferred without a trigger", retryable: false }),
      );
      return;
    }
    this.#watching.add(k);
    const tryNumber = ti.tryNumber;
    triggerer.watch(k, trigger, ti.sensorWait!.pokes, (event) => {
      this.#watching.delete(k);
      this.deps.logger.info(
        { dagId: run.dagId, runId: run.run.runId, taskId: ti.taskId, mapIndex: ti.mapIndex, event: event.kind, pokes: event.pokes },
        "deferred sensor's wait ended",
      );
      this.#end(run, key, tryNumber, this.#outcomeOf(run, key, event));
    });
  }

  /** Records the end of a deferred sensor's attempt (deferred → `state`); returns its log's path. */
  #recordEnd(
    run: ActiveRun,
    ti: Pick<TaskInstanceRecord, "taskId" | "mapIndex" | "startedAt">,
    tryNumber: number,
    state: TaskState,
    error: string | null,
    now: number,
  ): string {
    const logPath = attemptLogPath(this.deps.logsDir, run.run, ti.taskId, tryNumber, ti.mapIndex);
    const row = {
      runPk: run.pk,
      taskId: ti.taskId,
      mapIndex: ti.mapIndex,
      tryNumber,
      state,
      startedAt: ti.startedAt ?? now,
      endedAt: now,
      error,
      logPath,
      pid: null,
      worker: null,
    };
    this.deps.writer.attempt(run.run, row, "deferred", now);
    return logPath;
  }

  #outcomeOf(run: ActiveRun, key: string, event: TriggerEvent): AttemptOutcome {
    const ti = run.tis.get(key);
    const softFail = ti?.sensorWait?.trigger?.softFail ?? false;
    // softFail (Airflow's soft_fail): a check that failed for good (FailTask) skips the sensor, as a timeout does.
    if (event.kind === "failed" && softFail && !event.retryable) return { kind: "skipped", reason: `${event.error} (softFail: skipped instead of failed)` };
    if (event.kind === "failed") return { kind: "failed", error: event.error, retryable: event.retryable };
    if (event.kind === "skipped") return { kind: "skipped", reason: event.reason };
    if (event.kind === "timeout") {
      const message = `sensor "${ti?.taskId}" ${event.message}`;
      return softFail ? { kind: "skipped", reason: message } : { kind: "failed", error: message, retryable: false };
    }
    const output = event.value === undefined || event.value === null ? null : JSON.stringify(event.value);
    const bytes = output === null ? 0 : Buffer.byteLength(output);
    if (bytes > this.deps.maxOutputBytes) {
      return { kind: "failed", error: `task "${ti?.taskId}" returned ${bytes} bytes of JSON; the limit is ${this.deps.maxOutputBytes}`, retryable: false };
    }
    return { kind: "success", output };
  }

  /** The deferred sensor's attempt ends with `outcome`, as if its worker had reported it. */
  #end(run: ActiveRun, key: string, tryNumber: number, outcome: AttemptOutcome): void {
    const ti = run.tis.get(key);
    if (!this.deps.isActive(run) || ti?.state !== "deferred" || ti.tryNumber !== tryNumber) return;
    const now = this.deps.clock.now();
    const report: AttemptReport = {
      attemptId: `${run.pk}/${ti.taskId}/${ti.mapIndex}/${tryNumber}`,
      outcome,
      startedAt: ti.startedAt ?? now,
      endedAt: now,
      pid: null,
    };
    const result = applyOutcome(this.deps.writer, run, key, report, now);
    const logPath = this.#recordEnd(
      run,
      { taskId: ti.taskId, mapIndex: ti.mapIndex, startedAt: report.startedAt },
      tryNumber,
      result.attemptState,
      result.ti.error,
      now,
    );
    void appendFile(logPath, logLine(outcome, now)).catch(() => {});
    this.settled(run, result.ti, now);
    this.deps.afterEnd(run, result.ti, now);
  }
}

/** One line for the attempt's log, in the task runner's format, saying how the triggerer ended the wait. */
function logLine(outcome: AttemptOutcome, now: number): string {
  const at = new Date(now).toISOString();
  if (outcome.kind === "success") return `${at} INFO triggerer: the check passed; the sensor succeeded\n`;
  if (outcome.kind === "skipped") return `${at} WARN triggerer: ${outcome.reason}\n`;
  return `${at} ERROR triggerer: ${"error" in outcome ? outcome.error : outcome.kind}\n`;
}
