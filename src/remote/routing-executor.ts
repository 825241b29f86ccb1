import { DEFAULT_QUEUE, type NewRemoteAttempt } from "../core/model/workers.js";
import type { AttemptRequest, CallbackOutcome, CallbackRequest, Executor, ExecutorListener } from "../core/ports/executor.js";

export interface RoutingExecutorOptions {
  /**
   * The local pool: runs the `default` queue's attempts, and the callback functions. Its
   * `capacity` 0 (`--workers 0`: a pool kept for callbacks only) or null sends `default` to
   * the remote workers too.
   */
  local: Executor | null;
  /** Remote workers (RemoteExecutor): every other queue. */
  remote: Executor;
}

/**
 * Routes each attempt by its task's queue (`request.task.queue`, "default" when absent;
 * docs/workers.md, "Queues and routing"): `default` to the local pool when there is one, every
 * other queue (and `default` without a local pool) to the remote workers. The scheduler counts
 * slots per queue through {@link capacityFor}: the local pool's capacity for `default`, the
 * remote window for each other queue, so a queue no worker serves fills its own window and
 * blocks no other. Callbacks and the lease keep-alive go to the local pool.
 */
export class RoutingExecutor implements Executor {
  readonly #local: Executor | null;
  /** The local pool when it takes attempts (capacity above 0). */
  readonly #pool: Executor | null;
  readonly #remote: Executor;
  /** Attempt id → where it went, until it is reported finished (cancels follow it). */
  readonly #where = new Map<string, Executor>();

  constructor(options: RoutingExecutorOptions) {
    const local = options.local;
    this.#local = local;
    this.#pool = local !== null && local.capacity > 0 ? local : null;
    this.#remote = options.remote;
    if (local?.runCallback) this.runCallback = (request) => local.runCallback!(request);
    if (local?.keepAlive) this.keepAlive = (forMs) => local.keepAlive!(forMs);
  }

  readonly runCallback?: (request: CallbackRequest) => Promise<CallbackOutcome>;
  readonly keepAlive?: (forMs: number) => void;

  /** The local pool's capacity plus one remote window (the sum only informs: slots are counted per queue). */
  get capacity(): number {
    return (this.#pool?.capacity ?? 0) + this.#remote.capacity;
  }

  capacityFor(queue: string): number {
    return this.#executorOf(queue).capacity;
  }

  /** The local pool's dispatch window beyond its slots; remote queues stage nothing (their window is the mailbox's). */
  stagingFor(queue: string): number {
    const executor = this.#executorOf(queue);
    return executor === this.#pool ? (executor.stagingFor?.(queue) ?? 0) : 0;
  }

  /** As the executor of `queue` says (the remote workers': their mailbox row rides in the scheduler's commit). */
  handsOffInCommit(queue: string): boolean {
    return this.#executorOf(queue).handsOffInCommit?.(queue) === true;
  }

  handOffRow(request: AttemptRequest): NewRemoteAttempt {
    const executor = this.#executorOf(request.task.queue ?? DEFAULT_QUEUE);
    this.#where.set(request.attemptId, executor);
    return executor.handOffRow!(request);
  }

  async start(listener: ExecutorListener): Promise<void> {
    const forward: ExecutorListener = {
      started: (id, at, pid, worker) => listener.started(id, at, pid, worker),
      finished: (report) => {
        this.#where.delete(report.attemptId);
        listener.finished(report);
      },
    };
    await Promise.all([this.#local?.start(forward), this.#remote.start(forward)]);
  }

  submit(request: AttemptRequest): void {
    const executor = this.#executorOf(request.task.queue ?? DEFAULT_QUEUE);
    this.#where.set(request.attemptId, executor);
    executor.submit(request);
  }

  cancel(attemptId: string, reason: string): void {
    this.#where.get(attemptId)?.cancel(attemptId, reason);
  }

  async shutdown(graceMs: number): Promise<void> {
    await Promise.all([this.#local?.shutdown(graceMs), this.#remote.shutdown(graceMs)]);
  }

  #executorOf(queue: string): Executor {
    return queue === DEFAULT_QUEUE && this.#pool !== null ? this.#pool : this.#remote;
  }
}
