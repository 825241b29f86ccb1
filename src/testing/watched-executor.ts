import type { AttemptRequest, CallbackOutcome, CallbackRequest, Executor, ExecutorListener } from "../core/ports/executor.js";
import type { InProcessExecutor } from "../executor/in-process-executor.js";

/**
 * The in-process executor, counting what it has in hand: the test driver moves virtual time only
 * when no task code is running (or what runs waits on virtual time), as a time-skipping test
 * server does. `events` grows with every start, end and callback, so the driver can tell progress.
 */
export class WatchedExecutor implements Executor {
  readonly capacity: number;
  #inFlight = new Set<string>();
  #callbacks = 0;
  events = 0;

  constructor(private readonly inner: InProcessExecutor) {
    this.capacity = inner.capacity;
  }

  /** Attempts submitted and not yet reported finished, plus callback functions running. */
  get busy(): number {
    return this.#inFlight.size + this.#callbacks;
  }

  start(listener: ExecutorListener): Promise<void> {
    return this.inner.start({
      started: (attemptId, at, pid, worker) => {
        this.events++;
        listener.started(attemptId, at, pid, worker);
      },
      finished: (report) => {
        this.events++;
        this.#inFlight.delete(report.attemptId);
        listener.finished(report);
      },
    });
  }

  submit(request: AttemptRequest): void {
    this.events++;
    this.#inFlight.add(request.attemptId);
    this.inner.submit(request);
  }

  cancel(attemptId: string, reason: string): void {
    this.events++;
    this.inner.cancel(attemptId, reason);
  }

  shutdown(graceMs: number): Promise<void> {
    return this.inner.shutdown(graceMs);
  }

  async runCallback(request: CallbackRequest): Promise<CallbackOutcome> {
    this.#callbacks++;
    this.events++;
    try {
      return await this.inner.runCallback(request);
    } finally {
      this.#callbacks--;
      this.events++;
    }
  }
}
