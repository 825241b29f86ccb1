import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import type { DomainEventSink } from "./domain-event-recorder.js";

/** Bucket bounds in seconds, chosen per series (docs/metrics.md lists them). */
export const BUCKETS = {
  runDuration: [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400],
  taskDuration: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 14400],
  queuedToStart: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
  schedulerLoop: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  schedulerCommit: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
  dagFileParse: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
} as const;

/**
 * The series a scheduling process records as things happen (counters and histograms), on one
 * registry. Gauges read at scrape time are added by `PrometheusMetrics.observe*`.
 */
export class BatonSeries implements DomainEventSink {
  readonly runsFinished: Counter<"dag_id" | "state">;
  readonly runDuration: Histogram<"dag_id" | "state">;
  readonly tasksFinished: Counter<"dag_id" | "task_id" | "state">;
  readonly taskDuration: Histogram<"dag_id" | "task_id" | "state">;
  readonly queuedToStart: Histogram<"dag_id">;
  readonly schedulerLoop: Histogram;
  readonly schedulerCommit: Histogram<"outcome">;
  readonly dagFileParse: Histogram<"outcome">;
  readonly notifierDeliveries: Counter<"kind">;
  readonly notifierFailures: Counter<"kind">;

  constructor(registry: Registry) {
    const registers = [registry];
    this.runsFinished = new Counter({
      name: "baton_dag_runs_finished_total",
      help: "DAG runs that reached a final state, by DAG and state (success, failed).",
      labelNames: ["dag_id", "state"],
      registers,
    });
    this.runDuration = new Histogram({
      name: "baton_dag_run_duration_seconds",
      help: "Time from a run's start (queued -> running) to its final state, by DAG and state.",
      labelNames: ["dag_id", "state"],
      buckets: [...BUCKETS.runDuration],
      registers,
    });
    this.tasksFinished = new Counter({
      name: "baton_task_instances_finished_total",
      help: "Task instances that reached a final state (success, failed, skipped, upstream_failed), by DAG, task and state; copies of a mapped task are not counted, the mapped task is.",
      labelNames: ["dag_id", "task_id", "state"],
      registers,
    });
    this.taskDuration = new Histogram({
      name: "baton_task_duration_seconds",
      help: "Running time of each try of a task instance, by DAG, task and the state it ended in (success, failed, up_for_retry, up_for_reschedule, deferred...).",
      labelNames: ["dag_id", "task_id", "state"],
      buckets: [...BUCKETS.taskDuration],
      registers,
    });
    this.queuedToStart = new Histogram({
      name: "baton_task_queued_to_start_seconds",
      help: "Time from a task instance being queued (handed to the executor) to its attempt running, by DAG.",
      labelNames: ["dag_id"],
      buckets: [...BUCKETS.queuedToStart],
      registers,
    });
    this.schedulerLoop = new Histogram({
      name: "baton_scheduler_loop_duration_seconds",
      help: "Duration of each pass of the scheduler's loop (schedules, commands, queued runs, timeouts).",
      buckets: [...BUCKETS.schedulerLoop],
      registers,
    });
    this.schedulerCommit = new Histogram({
      name: "baton_scheduler_commit_duration_seconds",
      help: "Duration of each group commit of the scheduler's state changes, by outcome (ok, failed).",
      labelNames: ["outcome"],
      buckets: [...BUCKETS.schedulerCommit],
      registers,
    });
    this.dagFileParse = new Histogram({
      name: "baton_dag_file_parse_duration_seconds",
      help: "Time to load one DAG file (bundle and import in a child process), by outcome (ok, error: it has import errors).",
      labelNames: ["outcome"],
      buckets: [...BUCKETS.dagFileParse],
      registers,
    });
    this.notifierDeliveries = new Counter({
      name: "baton_notifier_deliveries_total",
      help: "Messages a notifier delivered, by notifier kind (slack, teams, pagerduty, opsgenie, email, webhook, jira...).",
      labelNames: ["kind"],
      registers,
    });
    this.notifierFailures = new Counter({
      name: "baton_notifier_failures_total",
      help: "Delivery tries of a notifier that failed (each failed retry counts), by notifier kind.",
      labelNames: ["kind"],
      registers,
    });
  }

  runFinished(dagId: string, state: string, seconds: number | null): void {
    this.runsFinished.inc({ dag_id: dagId, state });
    if (seconds !== null) this.runDuration.observe({ dag_id: dagId, state }, seconds);
  }

  taskFinished(dagId: string, taskId: string, state: string): void {
    this.tasksFinished.inc({ dag_id: dagId, task_id: taskId, state });
  }

  taskTry(dagId: string, taskId: string, state: string, seconds: number): void {
    this.taskDuration.observe({ dag_id: dagId, task_id: taskId, state }, seconds);
  }

  taskQueuedToStart(dagId: string, seconds: number): void {
    this.queuedToStart.observe({ dag_id: dagId }, seconds);
  }
}

/** A gauge whose value(s) are read from `read` each time Prometheus scrapes. */
export function lazyGauge<L extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly L[],
  read: (set: (labels: Partial<Record<L, string>>, value: number) => void) => void,
): Gauge<L> {
  return new Gauge<L>({
    name,
    help,
    labelNames,
    registers: [registry],
    collect() {
      this.reset();
      read((labels, value) => (labelNames.length === 0 ? this.set(value) : this.set(labels, value)));
    },
  });
}
