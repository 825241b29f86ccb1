import { LRUCache } from "lru-cache";
import type { DomainEvent, RunStateChanged, TaskInstanceStateChanged } from "../core/model/domain-events.js";
import type { TaskState } from "../core/model/states.js";

/** Where the recorder puts what it measures (the Prometheus series of {@link BatonSeries}). */
export interface DomainEventSink {
  runFinished(dagId: string, state: string, seconds: number | null): void;
  taskFinished(dagId: string, taskId: string, state: string): void;
  taskTry(dagId: string, taskId: string, state: string, seconds: number): void;
  taskQueuedToStart(dagId: string, seconds: number): void;
}

/** States a task instance ends in: what `baton_task_instances_finished_total` counts. */
const FINAL_TASK_STATES: ReadonlySet<TaskState> = new Set(["success", "failed", "skipped", "upstream_failed"]);

/** Start times of runs and task instances in flight; bounded so lost events (a crash, a fenced scheduler) cannot grow it. */
const MAX_TRACKED = 100_000;

/**
 * Turns the scheduler's domain events into metric observations: O(1) per event, no I/O, nothing
 * awaited (docs/metrics.md). Durations come from the `at` of the events that open and close
 * them, kept per run (`queued → running` … final) and per task instance (`queued` → `running` →
 * its next state); a run or try whose start this process did not see (it started before a
 * restart) is counted but not timed.
 */
export class DomainEventRecorder {
  readonly #runStarts = new LRUCache<number, number>({ max: MAX_TRACKED });
  readonly #tis = new LRUCache<string, { queuedAt: number | null; startedAt: number | null }>({ max: MAX_TRACKED });

  constructor(private readonly sink: DomainEventSink) {}

  /** The listener to pass to `scheduler.onDomainEvent`. */
  readonly listener = (event: DomainEvent): void => {
    if (event.kind === "run_state_changed") this.#run(event);
    else if (event.kind === "task_instance_state_changed") this.#task(event);
  };

  #run(e: RunStateChanged): void {
    if (e.after === "running") {
      this.#runStarts.set(e.runPk, e.at);
      return;
    }
    if (e.after === "queued") {
      this.#runStarts.delete(e.runPk);
      return;
    }
    const startedAt = this.#runStarts.get(e.runPk);
    this.#runStarts.delete(e.runPk);
    this.sink.runFinished(e.dagId, e.after, startedAt === undefined ? null : Math.max(0, e.at - startedAt) / 1000);
  }

  #task(e: TaskInstanceStateChanged): void {
    const key = `${e.runPk}\0${e.taskId}\0${e.mapIndex}`;
    if (e.mapIndex < 0 && FINAL_TASK_STATES.has(e.after)) this.sink.taskFinished(e.dagId, e.taskId, e.after);
    const seen = this.#tis.get(key);
    if (e.after === "queued") {
      this.#tis.set(key, { queuedAt: e.at, startedAt: null });
      return;
    }
    if (e.after === "running") {
      if (seen?.queuedAt != null) this.sink.taskQueuedToStart(e.dagId, Math.max(0, e.at - seen.queuedAt) / 1000);
      this.#tis.set(key, { queuedAt: null, startedAt: e.at });
      return;
    }
    if (e.before === "running" && seen?.startedAt != null) this.sink.taskTry(e.dagId, e.taskId, e.after, Math.max(0, e.at - seen.startedAt) / 1000);
    if (seen) this.#tis.delete(key);
  }
}
