import type { AttemptRequest, Executor, ExecutorListener } from "../core/ports/executor.js";
import { attemptSpanIdOf, traceIdOf, traceparentOf } from "./span-ids.js";

/**
 * An executor that hands each attempt the W3C `traceparent` of its attempt span (span-ids.ts),
 * so the worker makes the spans of the task's own code children of it. Two hashes per attempt.
 */
export class TracedExecutor implements Executor {
  /** The inner executor's slots per queue, when it has them (Executor.capacityFor). */
  readonly capacityFor?: (queue: string) => number;
  /** The inner executor's dispatch window beyond its slots (Executor.stagingFor). */
  readonly stagingFor?: (queue: string) => number;

  constructor(
    private readonly inner: Executor,
    private readonly serviceName: string,
  ) {
    if (inner.capacityFor) this.capacityFor = (queue) => inner.capacityFor!(queue);
    if (inner.stagingFor) this.stagingFor = (queue) => inner.stagingFor!(queue);
  }

  get capacity(): number {
    return this.inner.capacity;
  }

  start(listener: ExecutorListener): Promise<void> {
    return this.inner.start(listener);
  }

  submit(request: AttemptRequest): void {
    this.inner.submit({ ...request, traceparent: traceparentForAttempt(this.serviceName, request) });
  }

  cancel(attemptId: string, reason: string): void {
    this.inner.cancel(attemptId, reason);
  }

  shutdown(graceMs: number): Promise<void> {
    return this.inner.shutdown(graceMs);
  }

  keepAlive(forMs: number): void {
    this.inner.keepAlive?.(forMs);
  }
}

export function traceparentForAttempt(serviceName: string, request: AttemptRequest): string {
  const traceId = traceIdOf(serviceName, request.runPk, request.context.dagId, request.context.runId);
  return traceparentOf(traceId, attemptSpanIdOf(traceId, request.taskId, request.mapIndex, request.tryNumber));
}
