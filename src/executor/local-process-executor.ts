import { availableParallelism } from "node:os";
import { dirname, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { BatonError } from "../core/errors.js";
import type { EpochMs } from "../core/model/records.js";
import { systemClock, type Clock } from "../core/ports/clock.js";
import type { AttemptOutcome, AttemptRequest, CallbackOutcome, CallbackRequest, Executor, ExecutorListener } from "../core/ports/executor.js";
import { CallbackProcesses } from "./callback-processes.js";
import { silentLogger, type Logger } from "../core/ports/logger.js";
import type { SecretsResolver } from "../core/ports/secrets-resolver.js";
import type { DagRunsGateway } from "../core/ports/dag-runs-gateway.js";
import { SecretMasker } from "../core/secrets/mask-text.js";
import { AttemptQueue } from "./attempt-queue.js";
import { answerDagRuns } from "./answer-dag-runs.js";
import { answerSecret } from "./answer-secret.js";
import { appendRaw, cancelledOutcome, endAttempt, formatMs } from "./attempt-end.js";
import { PooledChild } from "./pooled-child.js";
import type { ChildEvent } from "./protocol.js";
import type { LostWrites } from "./task-runner/attempt-log.js";
import type { InfraErrors } from "../core/ports/infra-errors.js";
import type { LocalProcessExecutorOptions } from "./local-process-executor-options.js";

export type { LocalProcessExecutorOptions };

/**
 * Runs attempts in a pool of warm child processes (no process start per task).
 *
 * Each child runs one attempt at a time but may hold up to `prefetch` of them, so it goes from
 * one short task to the next without waiting for the parent. Beyond that, attempts wait here in
 * FIFO order. When a child falls idle while another holds attempts it has not started, the idle
 * one steals half of them back. `capacity` = processes × prefetch.
 *
 * A timed-out or cancelled attempt is stopped by killing its child (SIGTERM, SIGKILL after
 * `killGraceMs`); a child that dies for any reason fails its running attempt as "crashed". In
 * both cases the attempts it held but had not started go back to the front of the queue, and a
 * new child takes its place. See docs/executor.md.
 *
 * @example
 * const executor = new LocalProcessExecutor({ processes: 2 });
 * await executor.start({ started() {}, finished(report) { console.log(report.outcome) } });
 */
export class LocalProcessExecutor implements Executor {
  readonly capacity: number;
  readonly #processes: number;
  readonly #prefetch: number;
  readonly #entry: string;
  readonly #killGraceMs: number;
  readonly #execArgv: string[];
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #secrets: SecretsResolver | null;
  readonly #dagRuns: DagRunsGateway | null;
  readonly #infraErrors: InfraErrors | null;
  readonly #resolversFor: LocalProcessExecutorOptions["resolversFor"] | null;
  readonly #unstartedAtShutdown: (attemptIds: string[]) => void;
  readonly #givenBack: (attemptIds: string[]) => void;

  #listener: ExecutorListener | null = null;
  readonly #workers: Worker[] = [];
  readonly #attempts = new Map<string, Attempt>();
  readonly #queue = new AttemptQueue<Attempt>();
  #pumpQueued = false;
  #startFailures = 0;
  #cancelRespawn: (() => void) | null = null;
  #closing = false;
  #shutdown: Promise<void> | null = null;
  #allExited: (() => void) | null = null;
  /** Until when (clock) the children may run, as last told by {@link keepAlive}; null: no limit. */
  #keepAliveUntil: number | null = null;
  readonly #callbacks: CallbackProcesses;

  constructor(options: LocalProcessExecutorOptions = {}) {
    this.#processes = options.processes === 0 ? 0 : positive(options.processes ?? availableParallelism(), "processes");
    this.#prefetch = positive(options.prefetch ?? 4, "prefetch");
    this.capacity = this.#processes * this.#prefetch;
    this.#entry = options.runnerEntry ?? defaultRunnerEntry();
    this.#killGraceMs = options.killGraceMs ?? 5_000;
    this.#execArgv = options.execArgv ?? [];
    this.#logger = options.logger ?? silentLogger;
    this.#clock = options.clock ?? systemClock;
    this.#secrets = options.secrets ?? null;
    this.#dagRuns = options.dagRuns ?? null;
    this.#infraErrors = options.infraErrors ?? null;
    this.#resolversFor = options.resolversFor ?? null;
    this.#unstartedAtShutdown = options.unstartedAtShutdown ?? (() => {});
    this.#givenBack = options.givenBack ?? (() => {});
    const callbackEntry = resolve(dirname(this.#entry), "callback-main.js");
    this.#callbacks = new CallbackProcesses({
      entry: callbackEntry,
      execArgv: this.#execArgv,
      max: positive(options.callbackProcesses ?? 2, "callbackProcesses"),
      clock: this.#clock,
      logger: this.#logger,
    });
  }

  /**
   * The scheduler may record another `capacity` attempts as queued and hold them until a slot
   * here frees (Executor.stagingFor): their commit overlaps the attempts running, so a child
   * never waits for it between two short tasks.
   */
  stagingFor(_queue: string): number {
    return this.capacity;
  }

  /** Runs a callback function in a fresh child process beside the pool (task-runner/callback-main.ts). */
  runCallback(request: CallbackRequest): Promise<CallbackOutcome> {
    return this.#callbacks.run(request);
  }

  /**
   * Worker processes now: `busy` run an attempt, `idle` are ready and run none (read-only, for
   * metrics; O(processes)). Children starting or being replaced are neither.
   */
  workerCounts(): { busy: number; idle: number } {
    let busy = 0;
    let idle = 0;
    for (const w of this.#workers) {
      if (w.held.some((a) => a.state === "running")) busy++;
      else if (w.isReady && w.stop === null && !w.child.terminating) idle++;
    }
    return { busy, idle };
  }

  /** Starts the children; resolves when all are listening, rejects if one cannot start. */
  async start(listener: ExecutorListener): Promise<void> {
    if (this.#listener !== null) throw new BatonError("LocalProcessExecutor.start() was already called");
    this.#listener = listener;
    const ready = Array.from({ length: this.#processes }, () => this.#spawn().ready);
    await Promise.all(ready);
  }

  submit(request: AttemptRequest): void {
    if (this.#closing) {
      this.#logger.warn({ attemptId: request.attemptId }, "executor is shutting down; attempt not accepted");
      return;
    }
    if (this.#attempts.has(request.attemptId)) {
      this.#logger.warn({ attemptId: request.attemptId }, "attempt already submitted; ignored");
      return;
    }
    const attempt: Attempt = {
      request,
      state: "queued",
      worker: null,
      startedAt: null,
      cancelReason: null,
      clearTimer: null,
      masker: new SecretMasker(),
    };
    this.#attempts.set(request.attemptId, attempt);
    this.#queue.push(attempt);
    this.#schedulePump();
  }

  cancel(attemptId: string, reason: string): void {
    const attempt = this.#attempts.get(attemptId);
    if (attempt === undefined || attempt.cancelReason !== null) return;
    attempt.cancelReason = reason;
    switch (attempt.state) {
      case "queued": {
        this.#queue.remove(attempt);
        const now = this.#clock.now();
        // Report on a later tick: the listener is never re-entered from inside cancel().
        queueMicrotask(() => this.#report(attempt, cancelledOutcome(reason), now, now, null));
        break;
      }
      case "held":
        attempt.state = "recalling";
        attempt.worker!.child.recall(attemptId);
        this.#schedulePump();
        break;
      case "recalling":
        // Answered by "recalled" (dropped → reported) or "started" (→ stopped).
        break;
      case "running":
        this.#stop(attempt.worker!, attempt, cancelledOutcome(reason));
        break;
    }
  }

  /**
   * Takes back those of these attempts that have not started: the ones waiting here at once, the
   * ones a child holds once it answers (a child that started one meanwhile runs it as usual).
   * Those taken back are dropped without a report and told to `givenBack`.
   */
  giveBack(attemptIds: string[]): void {
    const now: string[] = [];
    for (const id of attemptIds) {
      const attempt = this.#attempts.get(id);
      if (attempt === undefined || attempt.cancelReason !== null) continue;
      if (attempt.state === "queued") {
        this.#queue.remove(attempt);
        this.#attempts.delete(id);
        now.push(id);
      } else if (attempt.state === "held") {
        attempt.state = "recalling";
        attempt.givingBack = true;
        attempt.worker!.child.recall(id);
        this.#schedulePump();
      }
    }
    if (now.length > 0) queueMicrotask(() => this.#givenBack(now));
  }

  /**
   * Stops taking work. Attempts not started are dropped without a report (the scheduler resets
   * them when it starts again). Running attempts get `graceMs` to finish and are reported as
   * usual; then their children are killed and they are reported crashed ("killed at shutdown").
   */
  shutdown(graceMs: number): Promise<void> {
    if (this.#shutdown !== null) return this.#shutdown;
    this.#closing = true;
    this.#cancelRespawn?.();
    this.#forgetUnstarted(this.#queue.drain());
    for (const worker of this.#workers) {
      for (const attempt of worker.held) {
        if (attempt.state === "held") {
          attempt.state = "recalling";
          worker.child.recall(attempt.request.attemptId);
        }
      }
      worker.child.flush();
      this.#releaseIfIdle(worker);
    }
    this.#shutdown = new Promise<void>((resolveAll) => {
      if (this.#workers.length === 0) return resolveAll();
      const cancelDeadline = this.#clock.setTimer(graceMs, () => this.#killAtShutdown());
      this.#allExited = () => {
        cancelDeadline();
        resolveAll();
      };
    });
    return this.#shutdown;
  }

  #killAtShutdown(): void {
    for (const worker of this.#workers) {
      const running = worker.held.find((a) => a.state === "running");
      if (running !== undefined) this.#stop(worker, running, { kind: "crashed", error: "killed at shutdown" });
      else worker.child.terminate(this.#killGraceMs);
    }
  }

  /**
   * The scheduler's lease keep-alive (docs/adr/0007): children may run `forMs` more ms; one that
   * hears nothing more by then kills its attempt and exits (`task-runner/parent-watchdog.ts`).
   */
  keepAlive(forMs: number): void {
    this.#keepAliveUntil = this.#clock.now() + forMs;
    for (const worker of this.#workers) worker.child.keepAlive(forMs);
  }

  #spawn(): Worker {
    let settle!: (error?: Error) => void;
    const ready = new Promise<void>((res, rej) => {
      settle = (error) => (error ? rej(error) : res());
    });
    ready.catch(() => {}); // Only start() awaits it; a replacement's failure is logged instead.
    const worker: Worker = {
      child: null!,
      held: [],
      stop: null,
      ready,
      isReady: false,
      settleReady: settle,
      earlyOutput: "",
    };
    worker.child = new PooledChild(this.#entry, this.#execArgv, {
      events: (events) => this.#onEvents(worker, events),
      output: (data) => this.#onOutput(worker, data),
      exit: (code, signal) => this.#onExit(worker, code, signal),
    });
    if (this.#keepAliveUntil !== null) worker.child.keepAlive(this.#keepAliveUntil - this.#clock.now());
    this.#workers.push(worker);
    return worker;
  }

  #schedulePump(): void {
    if (this.#pumpQueued) return;
    this.#pumpQueued = true;
    // One pump per loop turn: batches what the scheduler submits and what all children reported.
    setImmediate(() => {
      this.#pumpQueued = false;
      this.#pump();
    });
  }

  /** Hands queued attempts to the least-loaded children, steals for idle ones, then sends. */
  #pump(): void {
    const usable = this.#closing ? [] : this.#workers.filter((w) => w.stop === null && !w.child.terminating);
    while (this.#queue.length > 0) {
      let best: Worker | undefined;
      for (const w of usable) {
        if (w.held.length < this.#prefetch && (best === undefined || w.held.length < best.held.length)) best = w;
      }
      if (best === undefined) break;
      const attempt = this.#queue.shift()!;
      attempt.state = "held";
      attempt.worker = best;
      best.held.push(attempt);
      best.child.run(attempt.request);
    }
    if (this.#queue.length === 0) {
      for (const idle of usable) if (idle.held.length === 0) this.#steal();
    }
    for (const w of this.#workers) w.child.flush();
  }

  /** Recalls the newer half of the waiting attempts of the child that holds the most. */
  #steal(): void {
    let victim: Worker | undefined;
    let waiting: Attempt[] = [];
    for (const w of this.#workers) {
      const head = w.held[0];
      if (head === undefined || (head.state !== "running" && w.stop === null)) continue;
      const candidates = w.held.filter((a) => a.state === "held");
      if (candidates.length > waiting.length) {
        victim = w;
        waiting = candidates;
      }
    }
    if (victim === undefined) return;
    for (const attempt of waiting.slice(Math.floor(waiting.length / 2))) {
      attempt.state = "recalling";
      victim.child.recall(attempt.request.attemptId);
    }
  }

  #onEvents(worker: Worker, events: ChildEvent[]): void {
    for (const event of events) {
      if (event.t === "ready") {
        worker.isReady = true;
        this.#startFailures = 0;
        worker.settleReady();
        continue;
      }
      if (event.t === "recalled") {
        this.#onRecalled(worker, event.dropped);
        continue;
      }
      const attempt = this.#attempts.get(event.id);
      if (attempt === undefined || attempt.worker !== worker) continue;
      if (event.t === "started") this.#onStarted(worker, attempt, event.at);
      else if (event.t === "secret") void this.#answerSecret(worker, attempt, event);
      else if (event.t === "dagRuns") {
        const dagRuns = this.#resolversFor?.(attempt.request.attemptId).dagRuns ?? this.#dagRuns;
        void answerDagRuns(dagRuns, event, attempt.state === "running").then((reply) => worker.child.answerDagRuns(reply));
      } else if (worker.stop?.attempt !== attempt) {
        // A stopped attempt is reported when its child is gone, with the stop's outcome.
        removeHeld(worker, attempt);
        this.#report(attempt, event.outcome, attempt.startedAt ?? event.at, event.at, worker.child.pid, event.logLost ?? null);
      }
    }
    if (this.#closing) this.#releaseIfIdle(worker);
    else this.#schedulePump();
  }

  #onStarted(worker: Worker, attempt: Attempt, at: EpochMs): void {
    attempt.state = "running";
    attempt.startedAt = at;
    const { attemptId, task } = attempt.request;
    this.#listener?.started(attemptId, at, worker.child.pid);
    if (attempt.cancelReason !== null) {
      this.#stop(worker, attempt, cancelledOutcome(attempt.cancelReason));
      return;
    }
    const timeoutMs = task.executionTimeoutMs;
    if (timeoutMs === null) return;
    attempt.clearTimer = this.#clock.setTimer(timeoutMs - (this.#clock.now() - at), () => {
      attempt.clearTimer = null;
      if (attempt.worker === worker && this.#attempts.get(attemptId) === attempt) {
        this.#stop(worker, attempt, { kind: "timeout", error: `exceeded execution timeout of ${formatMs(timeoutMs)}` });
      }
    });
  }

  /** Resolves a running attempt's `ctx.connection()`/`ctx.variable()` and sends the answer back. */
  async #answerSecret(worker: Worker, attempt: Attempt, event: Extract<ChildEvent, { t: "secret" }>): Promise<void> {
    const secrets = this.#resolversFor?.(attempt.request.attemptId).secrets ?? this.#secrets;
    worker.child.answer(await answerSecret(secrets, attempt.masker, event, attempt.state === "running"));
  }

  #onRecalled(worker: Worker, dropped: string[]): void {
    const requeue: Attempt[] = [];
    const unstarted: Attempt[] = [];
    const given: string[] = [];
    const now = this.#clock.now();
    for (const id of dropped) {
      const attempt = this.#attempts.get(id);
      if (attempt === undefined || attempt.worker !== worker || attempt.state !== "recalling") continue;
      removeHeld(worker, attempt);
      attempt.worker = null;
      attempt.state = "queued";
      if (attempt.cancelReason !== null) this.#report(attempt, cancelledOutcome(attempt.cancelReason), now, now, null);
      else if (this.#closing) unstarted.push(attempt);
      else if (attempt.givingBack === true) {
        this.#attempts.delete(id);
        given.push(id);
      } else requeue.push(attempt);
    }
    this.#queue.unshift(requeue);
    this.#forgetUnstarted(unstarted);
    if (given.length > 0) this.#givenBack(given);
  }

  /** At shutdown: attempts that will never start are dropped without a report (see {@link shutdown}). */
  #forgetUnstarted(attempts: Attempt[]): void {
    if (attempts.length === 0) return;
    for (const attempt of attempts) this.#attempts.delete(attempt.request.attemptId);
    this.#unstartedAtShutdown(attempts.map((a) => a.request.attemptId));
  }

  /** Kills the attempt's child; the attempt is reported with `outcome` once the child is gone. */
  #stop(worker: Worker, attempt: Attempt, outcome: AttemptOutcome): void {
    if (worker.stop !== null) return;
    worker.stop = { attempt, outcome };
    attempt.clearTimer?.();
    attempt.clearTimer = null;
    worker.child.terminate(this.#killGraceMs);
  }

  #onOutput(worker: Worker, data: Buffer): void {
    const running = worker.held.find((a) => a.state === "running");
    if (running !== undefined) {
      try {
        appendRaw(running.request.logPath, running.masker.empty ? data : Buffer.from(running.masker.mask(data.toString("utf8"))));
        return;
      } catch {
        // Fall through to the executor's log.
      }
    }
    if (!worker.isReady && worker.earlyOutput.length < 4096) worker.earlyOutput += data.toString();
    this.#logger.warn({ pid: worker.child.pid, output: data.toString() }, "task runner wrote outside an attempt");
  }

  #onExit(worker: Worker, code: number | null, signal: NodeJS.Signals | null): void {
    this.#workers.splice(this.#workers.indexOf(worker), 1);
    const pid = worker.child.pid;
    const now = this.#clock.now();
    const how = signal !== null ? `was killed by ${signal}${signalHint(signal)}` : `exited with code ${code}`;
    const requeue: Attempt[] = [];
    const unstarted: Attempt[] = [];
    for (const attempt of worker.held) {
      if (worker.stop?.attempt === attempt) {
        this.#report(attempt, worker.stop.outcome, attempt.startedAt ?? now, now, pid);
      } else if (attempt.state === "running") {
        const error = `task runner process ${pid} ${how} while running the attempt`;
        this.#report(attempt, { kind: "crashed", error }, attempt.startedAt ?? now, now, pid);
      } else {
        attempt.worker = null;
        attempt.state = "queued";
        if (attempt.cancelReason !== null) this.#report(attempt, cancelledOutcome(attempt.cancelReason), now, now, null);
        else if (this.#closing) unstarted.push(attempt);
        else requeue.push(attempt);
      }
    }
    this.#queue.unshift(requeue);
    this.#forgetUnstarted(unstarted);
    if (!worker.isReady) {
      const output = worker.earlyOutput.trim();
      const error = new BatonError(`task runner ${this.#entry} ${how} before it was ready${output ? `: ${output}` : ""}`);
      worker.settleReady(error);
      this.#startFailures++;
      this.#logger.error({ pid, err: error }, "task runner failed to start");
      this.#infraErrors?.record(error.message, now);
    } else if (!this.#closing) {
      this.#logger.warn({ pid, code, signal }, "task runner exited; starting a replacement");
    }
    if (this.#closing) {
      if (this.#workers.length === 0) this.#allExited?.();
      return;
    }
    this.#respawn();
    this.#schedulePump();
  }

  /** Replaces a dead child; after children failing to start, waits longer each time (max 10 s). */
  #respawn(): void {
    if (this.#startFailures === 0 || this.#listener === null) {
      this.#spawn();
      return;
    }
    const delay = Math.min(10_000, 100 * 2 ** (this.#startFailures - 1));
    const cancel = this.#clock.setTimer(delay, () => {
      if (this.#cancelRespawn === cancel) this.#cancelRespawn = null;
      if (!this.#closing) {
        this.#spawn();
        this.#schedulePump();
      }
    });
    this.#cancelRespawn = cancel;
  }

  /** At shutdown, lets a child with nothing left go (it exits when the channel closes). */
  #releaseIfIdle(worker: Worker): void {
    if (worker.held.length === 0) worker.child.disconnect();
  }

  #report(attempt: Attempt, outcome: AttemptOutcome, startedAt: EpochMs, endedAt: EpochMs, pid: number | null, lost: LostWrites | null = null): void {
    const { attemptId, logPath } = attempt.request;
    // Every attempt is reported exactly once: the map entry is the token.
    if (this.#attempts.get(attemptId) !== attempt) return;
    this.#attempts.delete(attemptId);
    attempt.clearTimer?.();
    attempt.clearTimer = null;
    const end = endAttempt(logPath, outcome, lost);
    if (end.infraError !== null) {
      this.#logger.warn({ attemptId, logPath, outcome: end.outcome.kind, error: end.infraError }, "the attempt log could not be written");
      this.#infraErrors?.record(end.infraError, endedAt);
    }
    this.#listener?.finished({ attemptId, outcome: end.outcome, startedAt, endedAt, pid });
  }
}

interface Attempt {
  readonly request: AttemptRequest;
  /** queued: in the executor's FIFO; held: sent to `worker`, not started; recalling: asked back. */
  state: "queued" | "held" | "recalling" | "running";
  worker: Worker | null;
  startedAt: EpochMs | null;
  cancelReason: string | null;
  clearTimer: (() => void) | null;
  /** Secrets handed to this attempt: masked in what the pool writes to its log. */
  readonly masker: SecretMasker;
  /** Recalled by {@link LocalProcessExecutor.giveBack}: dropped, not queued again, when its child gives it up. */
  givingBack?: boolean;
}

interface Worker {
  child: PooledChild;
  /** Attempts handed to the child, in the order it runs them. */
  readonly held: Attempt[];
  /** The attempt being stopped by killing this child, and how it will be reported. */
  stop: { attempt: Attempt; outcome: AttemptOutcome } | null;
  readonly ready: Promise<void>;
  isReady: boolean;
  settleReady(error?: Error): void;
  /** What the child printed before it was ready, for the start error. */
  earlyOutput: string;
}

function removeHeld(worker: Worker, attempt: Attempt): void {
  const i = worker.held.indexOf(attempt);
  if (i >= 0) worker.held.splice(i, 1);
}

function signalHint(signal: NodeJS.Signals): string {
  if (signal === "SIGKILL") return " (from outside the executor; the kernel's out-of-memory killer sends it)";
  if (signal === "SIGABRT") return " (a fatal error such as JavaScript heap out of memory; see the log)";
  return "";
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new BatonError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** task-runner/main.js beside this module; from the .ts sources (vitest), the compiled one in dist/. */
function defaultRunnerEntry(): string {
  const here = fileURLToPath(import.meta.url);
  const entry = resolve(dirname(here), "task-runner", "main.js");
  return here.endsWith(".ts") ? entry.replace(`${sep}src${sep}`, `${sep}dist${sep}src${sep}`) : entry;
}
