import { AsyncLocalStorage } from "node:async_hooks";
import { BatonError } from "../core/errors.js";
import { systemClock, type Clock } from "../core/ports/clock.js";
import type { AttemptOutcome, AttemptRequest, CallbackOutcome, CallbackRequest, Executor, ExecutorListener } from "../core/ports/executor.js";
import { runCallback } from "./task-runner/run-callback.js";
import { silentLogger, type Logger } from "../core/ports/logger.js";
import type { SecretsResolver } from "../core/ports/secrets-resolver.js";
import type { DagRunsGateway } from "../core/ports/dag-runs-gateway.js";
import { cancelledOutcome, endAttempt, formatMs } from "./attempt-end.js";
import { AttemptQueue } from "./attempt-queue.js";
import { AttemptLog, type LostWrites } from "./task-runner/attempt-log.js";
import { captureOutput } from "./task-runner/capture-output.js";
import { runAttempt } from "./task-runner/run-attempt.js";

export interface InProcessExecutorOptions {
  /** Attempts running at the same time. Default 1. */
  concurrency?: number;
  /** Also print what tasks write to stdout/stderr (it always goes to the attempt log). Default true. */
  echoOutput?: boolean;
  logger?: Logger;
  clock?: Clock;
  /** Answers `ctx.connection()` and `ctx.variable()`; without it they reject with a clear error. */
  secrets?: SecretsResolver;
  /** Answers the cross-DAG operators (`triggerDag`, `externalTaskSensor`); without it they fail with a clear error. */
  dagRuns?: DagRunsGateway;
  /**
   * Hears what each attempt writes to its log (secrets masked), as it is written: `ctx.log`,
   * console and shell output. Called inside the attempt: write with a stream saved before start().
   */
  onLog?: (request: AttemptRequest, chunk: string) => void;
}

/**
 * Runs attempts inside the current process, for `baton dags test`: breakpoints and stack traces
 * work as in any script. Same port and outcomes as LocalProcessExecutor, with one limit: user
 * code cannot be killed. A timeout or cancel aborts `ctx.signal` and reports at once; code that
 * ignores the signal keeps running in the background, and its result is discarded.
 */
export class InProcessExecutor implements Executor {
  readonly capacity: number;
  readonly #echo: boolean;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #secrets: SecretsResolver | null;
  readonly #dagRuns: DagRunsGateway | null;
  readonly #onLog: NonNullable<InProcessExecutorOptions["onLog"]> | null;
  readonly #queue = new AttemptQueue<Job>();
  readonly #jobs = new Map<string, Job>();
  readonly #logs = new AsyncLocalStorage<AttemptLog>();
  #listener: ExecutorListener | null = null;
  #running = 0;
  #closing = false;
  #restoreOutput: (() => void) | null = null;
  #idle: (() => void) | null = null;

  constructor(options: InProcessExecutorOptions = {}) {
    const concurrency = options.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new BatonError(`concurrency must be a positive integer, got ${concurrency}`);
    }
    this.capacity = concurrency;
    this.#echo = options.echoOutput ?? true;
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#secrets = options.secrets ?? null;
    this.#dagRuns = options.dagRuns ?? null;
    this.#onLog = options.onLog ?? null;
  }

  async start(listener: ExecutorListener): Promise<void> {
    if (this.#listener !== null) throw new BatonError("InProcessExecutor.start() was already called");
    this.#listener = listener;
    this.#restoreOutput = captureOutput(() => this.#logs.getStore(), this.#echo);
  }

  submit(request: AttemptRequest): void {
    if (this.#closing || this.#jobs.has(request.attemptId)) {
      this.#logger.warn({ attemptId: request.attemptId }, "attempt not accepted (shutting down or duplicate)");
      return;
    }
    const job: Job = { request, controller: new AbortController(), stop: null };
    this.#jobs.set(request.attemptId, job);
    this.#queue.push(job);
    queueMicrotask(() => this.#pump());
  }

  cancel(attemptId: string, reason: string): void {
    const job = this.#jobs.get(attemptId);
    if (job === undefined) return;
    if (job.stop !== null) {
      job.stop(cancelledOutcome(reason));
      return;
    }
    this.#queue.remove(job);
    const now = this.#clock.now();
    queueMicrotask(() => this.#report(job, cancelledOutcome(reason), now, now, null));
  }

  /**
   * Runs a callback function in this process (it cannot be killed: past its time limit its
   * signal is aborted, it is reported `timed_out` and whatever it still does is ignored).
   */
  async runCallback(request: CallbackRequest): Promise<CallbackOutcome> {
    const controller = new AbortController();
    let cancel: (() => void) | null = null;
    const timedOut = new Promise<CallbackOutcome>((resolve) => {
      cancel = this.#clock.setTimer(request.timeoutMs, () => {
        controller.abort(new Error("callback timed out"));
        resolve({ status: "timed_out", error: `callback exceeded its time limit of ${formatMs(request.timeoutMs)}` });
      });
    });
    const outcome = await Promise.race([runCallback(request, controller.signal), timedOut]);
    (cancel as (() => void) | null)?.();
    return outcome;
  }

  /** Drops attempts not started; waits `graceMs` for running ones, then reports them crashed. */
  async shutdown(graceMs: number): Promise<void> {
    this.#closing = true;
    for (const job of this.#queue.drain()) this.#jobs.delete(job.request.attemptId);
    if (!(await this.#whenIdle(graceMs))) {
      for (const job of this.#jobs.values()) job.stop?.({ kind: "crashed", error: "killed at shutdown" });
      await this.#whenIdle(null);
    }
    this.#restoreOutput?.();
    this.#restoreOutput = null;
  }

  /** Resolves true when nothing runs, or false after `timeoutMs` (null: no limit). */
  #whenIdle(timeoutMs: number | null): Promise<boolean> {
    if (this.#running === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const cancel = timeoutMs === null ? null : this.#clock.setTimer(timeoutMs, () => resolve(false));
      this.#idle = () => {
        cancel?.();
        this.#idle = null;
        resolve(true);
      };
    });
  }

  #pump(): void {
    while (this.#running < this.capacity && this.#queue.length > 0) {
      const job = this.#queue.shift()!;
      this.#running++;
      void this.#run(job).finally(() => {
        this.#running--;
        if (this.#running === 0) this.#idle?.();
        this.#pump();
      });
    }
  }

  async #run(job: Job): Promise<void> {
    const { request } = job;
    const startedAt = this.#clock.now();
    this.#listener?.started(request.attemptId, startedAt, process.pid);
    const stopped = new Promise<AttemptOutcome>((resolve) => {
      job.stop = (outcome) => {
        job.controller.abort(new Error(outcome.kind === "timeout" ? outcome.error : "attempt stopped"));
        resolve(outcome);
      };
    });
    const timeoutMs = request.task.executionTimeoutMs;
    const cancelTimer =
      timeoutMs === null
        ? null
        : this.#clock.setTimer(timeoutMs, () => job.stop?.({ kind: "timeout", error: `exceeded execution timeout of ${formatMs(timeoutMs)}` }));
    const onLog = this.#onLog;
    const log = new AttemptLog(request.logPath, onLog === null ? null : (chunk) => onLog(request, chunk));
    const running = this.#logs.run(log, () => runAttempt(request, log, job.controller.signal, this.#secrets, this.#dagRuns));
    const outcome = await Promise.race([running, stopped]);
    cancelTimer?.();
    const lost = log.lost;
    log.close();
    this.#report(job, outcome, startedAt, this.#clock.now(), process.pid, lost);
  }

  #report(job: Job, outcome: AttemptOutcome, startedAt: number, endedAt: number, pid: number | null, lost: LostWrites | null = null): void {
    const { attemptId, logPath } = job.request;
    if (this.#jobs.get(attemptId) !== job) return;
    this.#jobs.delete(attemptId);
    const end = endAttempt(logPath, outcome, lost);
    if (end.infraError !== null) this.#logger.warn({ attemptId, logPath, error: end.infraError }, "the attempt log could not be written");
    this.#listener?.finished({ attemptId, outcome: end.outcome, startedAt, endedAt, pid });
  }
}

interface Job {
  readonly request: AttemptRequest;
  readonly controller: AbortController;
  /** Set while running: ends the attempt now with `outcome` (timeout, cancel, shutdown). */
  stop: ((outcome: AttemptOutcome) => void) | null;
}
