import { describe, expect, it } from "vitest";
import type { DomainEvent, DomainEventListener, RunStateChanged, TaskInstanceStateChanged } from "../core/model/domain-events.js";
import type { TaskState } from "../core/model/states.js";
import { PrometheusMetrics, type SchedulerGaugeSource } from "./prometheus-metrics.js";

/** The value of one sample in the text exposition, or undefined when absent. Labels match exactly, in any order. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    const want = Object.entries(labels);
    if (want.length === Object.keys(got).length && want.every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return undefined;
}

/** A scheduler as the metrics see it: events it publishes and what it holds now. */
class SchedulerStandIn implements SchedulerGaugeSource {
  listeners: DomainEventListener[] = [];
  now = { ready: 0, parked: { dagFull: 0, poolFull: 0 }, pools: [] as { pool: string; used: number; open: number }[] };
  gauges() {
    return this.now;
  }
  onDomainEvent(listener: DomainEventListener): () => void {
    this.listeners.push(listener);
    return () => (this.listeners = this.listeners.filter((l) => l !== listener));
  }
  publish(...events: DomainEvent[]): void {
    for (const e of events) for (const l of this.listeners) l(e);
  }
}

const T = 1_750_000_000_000;
const run = (runPk: number, before: RunStateChanged["before"], after: RunStateChanged["after"], at: number): RunStateChanged => ({
  kind: "run_state_changed",
  dagId: "etl",
  runId: `r${runPk}`,
  runPk,
  before,
  after,
  at,
  note: null,
});
const ti = (runPk: number, taskId: string, before: TaskState, after: TaskState, at: number, mapIndex = -1): TaskInstanceStateChanged => ({
  kind: "task_instance_state_changed",
  dagId: "etl",
  runId: `r${runPk}`,
  runPk,
  taskId,
  mapIndex,
  tryNumber: 1,
  before,
  after,
  at,
  error: null,
});

function setUp() {
  const metrics = new PrometheusMetrics({ process: "scheduler", version: "1.2.3", defaultMetrics: false });
  const scheduler = new SchedulerStandIn();
  metrics.observeScheduler(scheduler);
  return { metrics, scheduler };
}

describe("PrometheusMetrics from domain events", () => {
  it("counts finished runs by DAG and state and times them from start to end", async () => {
    const { metrics, scheduler } = setUp();
    scheduler.publish(run(1, "queued", "running", T), run(1, "running", "success", T + 42_000));
    scheduler.publish(run(2, "queued", "running", T), run(2, "running", "failed", T + 3_000));
    // Started before this process did: counted, not timed.
    scheduler.publish(run(3, "running", "failed", T + 5_000));
    const text = await metrics.render();
    expect(sample(text, "baton_dag_runs_finished_total", { dag_id: "etl", state: "success" })).toBe(1);
    expect(sample(text, "baton_dag_runs_finished_total", { dag_id: "etl", state: "failed" })).toBe(2);
    expect(sample(text, "baton_dag_run_duration_seconds_sum", { dag_id: "etl", state: "success" })).toBe(42);
    expect(sample(text, "baton_dag_run_duration_seconds_bucket", { dag_id: "etl", state: "success", le: "30" })).toBe(0);
    expect(sample(text, "baton_dag_run_duration_seconds_bucket", { dag_id: "etl", state: "success", le: "60" })).toBe(1);
    expect(sample(text, "baton_dag_run_duration_seconds_count", { dag_id: "etl", state: "failed" })).toBe(1);
    // No run id anywhere: cardinality is bounded by DAGs, tasks and states.
    expect(text).not.toMatch(/run_id|r1|r2/);
  });

  it("times queued → running and each try, and counts task instances' final states (mapped copies aside)", async () => {
    const { metrics, scheduler } = setUp();
    scheduler.publish(
      ti(1, "load", "scheduled", "queued", T),
      ti(1, "load", "queued", "running", T + 250),
      ti(1, "load", "running", "up_for_retry", T + 2_250),
      ti(1, "load", "up_for_retry", "scheduled", T + 10_000),
      ti(1, "load", "scheduled", "queued", T + 10_000),
      ti(1, "load", "queued", "running", T + 10_050),
      ti(1, "load", "running", "success", T + 11_050),
      ti(1, "report", "none", "upstream_failed", T + 11_050),
      ti(1, "fan", "scheduled", "queued", T, 0),
      ti(1, "fan", "queued", "running", T, 0),
      ti(1, "fan", "running", "success", T + 500, 0),
    );
    const text = await metrics.render();
    expect(sample(text, "baton_task_instances_finished_total", { dag_id: "etl", task_id: "load", state: "success" })).toBe(1);
    expect(sample(text, "baton_task_instances_finished_total", { dag_id: "etl", task_id: "report", state: "upstream_failed" })).toBe(1);
    expect(sample(text, "baton_task_instances_finished_total", { dag_id: "etl", task_id: "fan", state: "success" })).toBeUndefined();
    expect(sample(text, "baton_task_duration_seconds_sum", { dag_id: "etl", task_id: "load", state: "up_for_retry" })).toBe(2);
    expect(sample(text, "baton_task_duration_seconds_sum", { dag_id: "etl", task_id: "load", state: "success" })).toBe(1);
    expect(sample(text, "baton_task_duration_seconds_count", { dag_id: "etl", task_id: "fan", state: "success" })).toBe(1);
    expect(sample(text, "baton_task_queued_to_start_seconds_count", { dag_id: "etl" })).toBe(3);
    expect(sample(text, "baton_task_queued_to_start_seconds_sum", { dag_id: "etl" })).toBeCloseTo(0.3, 9);
    expect(sample(text, "baton_task_queued_to_start_seconds_bucket", { dag_id: "etl", le: "0.1" })).toBe(2);
  });

  it("a queued instance stopped before it ran is forgotten, not timed", async () => {
    const { metrics, scheduler } = setUp();
    scheduler.publish(ti(1, "load", "scheduled", "queued", T), ti(1, "load", "queued", "none", T + 1_000), ti(1, "load", "none", "running", T + 2_000));
    const text = await metrics.render();
    expect(sample(text, "baton_task_queued_to_start_seconds_count", { dag_id: "etl" })).toBeUndefined();
  });

  it("stops listening on close()", async () => {
    const { metrics, scheduler } = setUp();
    metrics.close();
    scheduler.publish(run(1, "queued", "running", T), run(1, "running", "success", T + 1));
    expect(scheduler.listeners).toHaveLength(0);
    expect(sample(await metrics.render(), "baton_dag_runs_finished_total", { dag_id: "etl", state: "success" })).toBeUndefined();
  });
});

describe("PrometheusMetrics gauges, read when scraped", () => {
  it("ready and parked queue depths, pool slots used and open, workers, import errors, triggerer waits", async () => {
    const { metrics, scheduler } = setUp();
    const workers = { busy: 1, idle: 3 };
    const sync = { importErrors: 2 };
    const triggerer = { size: 5 };
    metrics.observeWorkers({ workerCounts: () => workers });
    metrics.observeDagFiles(sync);
    metrics.observeTriggerer(triggerer);
    scheduler.now = {
      ready: 7,
      parked: { dagFull: 1, poolFull: 4 },
      pools: [
        { pool: "default_pool", used: 2, open: 126 },
        { pool: "db", used: 1, open: 0 },
      ],
    };
    let text = await metrics.render();
    expect(sample(text, "baton_scheduler_ready_tasks")).toBe(7);
    expect(sample(text, "baton_scheduler_parked_tasks", { reason: "dag_full" })).toBe(1);
    expect(sample(text, "baton_scheduler_parked_tasks", { reason: "pool_full" })).toBe(4);
    expect(sample(text, "baton_pool_slots", { pool: "db", state: "used" })).toBe(1);
    expect(sample(text, "baton_pool_slots", { pool: "db", state: "open" })).toBe(0);
    expect(sample(text, "baton_pool_slots", { pool: "default_pool", state: "open" })).toBe(126);
    expect(sample(text, "baton_executor_workers", { state: "busy" })).toBe(1);
    expect(sample(text, "baton_executor_workers", { state: "idle" })).toBe(3);
    expect(sample(text, "baton_dag_import_errors")).toBe(2);
    expect(sample(text, "baton_triggerer_waits")).toBe(5);

    // A pool that is gone disappears; values follow their sources.
    scheduler.now = { ready: 0, parked: { dagFull: 0, poolFull: 0 }, pools: [{ pool: "default_pool", used: 0, open: 128 }] };
    workers.busy = 0;
    sync.importErrors = 0;
    triggerer.size = 0;
    text = await metrics.render();
    expect(sample(text, "baton_pool_slots", { pool: "db", state: "used" })).toBeUndefined();
    expect(sample(text, "baton_scheduler_ready_tasks")).toBe(0);
    expect(sample(text, "baton_executor_workers", { state: "busy" })).toBe(0);
    expect(sample(text, "baton_dag_import_errors")).toBe(0);
    expect(sample(text, "baton_triggerer_waits")).toBe(0);
  });
});

describe("PrometheusMetrics as the engine's Metrics recorder", () => {
  it("scheduler loop and commit times, DAG-file parse times, notifier deliveries and failures", async () => {
    const metrics = new PrometheusMetrics({ process: "standalone", version: "1.2.3", defaultMetrics: false });
    metrics.schedulerLoop(0.003);
    metrics.schedulerCommit(0.002, true);
    metrics.schedulerCommit(0.5, false);
    metrics.dagFileParsed(0.8, true);
    metrics.dagFileParsed(1.5, false);
    metrics.notifierDelivery("slack", "delivered");
    metrics.notifierDelivery("slack", "delivered");
    metrics.notifierDelivery("pagerduty", "failed");
    const text = await metrics.render();
    expect(sample(text, "baton_scheduler_loop_duration_seconds_count")).toBe(1);
    expect(sample(text, "baton_scheduler_loop_duration_seconds_bucket", { le: "0.005" })).toBe(1);
    expect(sample(text, "baton_scheduler_commit_duration_seconds_count", { outcome: "ok" })).toBe(1);
    expect(sample(text, "baton_scheduler_commit_duration_seconds_sum", { outcome: "failed" })).toBe(0.5);
    expect(sample(text, "baton_dag_file_parse_duration_seconds_count", { outcome: "ok" })).toBe(1);
    expect(sample(text, "baton_dag_file_parse_duration_seconds_count", { outcome: "error" })).toBe(1);
    expect(sample(text, "baton_notifier_deliveries_total", { kind: "slack" })).toBe(2);
    expect(sample(text, "baton_notifier_failures_total", { kind: "pagerduty" })).toBe(1);
    expect(sample(text, "baton_build_info", { version: "1.2.3", process: "standalone" })).toBe(1);
  });

  it("every series is named baton_*, Node's process metrics included, and each process has a registry of its own", async () => {
    const a = new PrometheusMetrics({ process: "api", version: "1.2.3" });
    const b = new PrometheusMetrics({ process: "scheduler", version: "1.2.3" });
    const text = await a.render();
    const names = text
      .split("\n")
      .filter((l) => l.startsWith("# TYPE "))
      .map((l) => l.split(" ")[2]!);
    expect(names).toContain("baton_process_cpu_user_seconds_total");
    expect(names).toContain("baton_nodejs_heap_size_used_bytes");
    expect(names.filter((n) => !n.startsWith("baton_"))).toEqual([]);
    expect(a.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(sample(await b.render(), "baton_build_info", { version: "1.2.3", process: "scheduler" })).toBe(1);
  });

  it("`baton api` has the process metrics and build info only: it schedules nothing", async () => {
    const api = new PrometheusMetrics({ process: "api", version: "1.2.3" });
    api.notifierDelivery("slack", "delivered");
    const text = await api.render();
    expect(sample(text, "baton_build_info", { version: "1.2.3", process: "api" })).toBe(1);
    expect(text).toContain("baton_process_cpu_user_seconds_total");
    expect(text).not.toMatch(/baton_(dag|task|scheduler|notifier|pool|executor)_/);
  });
});
