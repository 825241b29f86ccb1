import { afterEach, describe, expect, it } from "vitest";
import { LocalProcessExecutor } from "../../src/executor/local-process-executor.js";
import { PrometheusMetrics } from "../../src/metrics/index.js";
import { HEADER, Harness } from "../support/harness.js";

/**
 * The Prometheus series of a real scheduler (real DAG processor, SQLite store and worker
 * processes): what a run leaves in them, and the gauges read from the scheduler and executor.
 */
let h: Harness | undefined;
afterEach(async () => {
  await h?.dispose();
  h = undefined;
});

function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split("\n")) {
    const m = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = m[2] ? m[2].split(",") : [];
    if (got.length === want.length && want.every((w) => got.includes(w))) return Number(m[3]);
  }
  return undefined;
}

const DAG = `${HEADER}export default dag({ id: "m" }, (d) => {
  const a = d.task("a", async () => { await new Promise((r) => setTimeout(r, 300)); return 1; });
  const b = d.task("b", { inputs: { a } }, async () => { throw new Error("boom"); });
  d.task("c", { inputs: { b } }, async () => 3);
});
`;

describe("scheduler metrics", () => {
  it("a run that fails: runs and task instances by final state, durations, queue latency, loop and commit times, pools and workers", async () => {
    h = new Harness({ "m.ts": DAG });
    await h.load();
    const metrics = new PrometheusMetrics({ process: "scheduler", version: "test", defaultMetrics: false });
    const executor = new LocalProcessExecutor({ processes: 2, prefetch: 1, killGraceMs: 200 });
    await h.start({ executor, metrics });
    metrics.observeScheduler(h.scheduler);
    metrics.observeWorkers(executor);

    // While "a" runs: one worker busy, one idle; one slot of the default pool used.
    const created = await h.trigger("m");
    let during = "";
    for (let i = 0; i < 200 && sample(during, "baton_executor_workers", { state: "busy" }) !== 1; i++) {
      await new Promise((r) => setTimeout(r, 10));
      during = await metrics.render();
    }
    expect(sample(during, "baton_executor_workers", { state: "busy" })).toBe(1);
    expect(sample(during, "baton_executor_workers", { state: "idle" })).toBe(1);
    expect(sample(during, "baton_pool_slots", { pool: "default_pool", state: "used" })).toBe(1);
    const open = sample(during, "baton_pool_slots", { pool: "default_pool", state: "open" })!;
    expect(open).toBeGreaterThan(0);

    const run = await h.scheduler.waitForRun(created.id);
    expect(run.state).toBe("failed");
    // Events are published after the commit; the run's own final event is among them.
    let text = "";
    for (let i = 0; i < 100 && sample(text, "baton_dag_runs_finished_total", { dag_id: "m", state: "failed" }) === undefined; i++) {
      await new Promise((r) => setTimeout(r, 20));
      text = await metrics.render();
    }
    expect(sample(text, "baton_dag_runs_finished_total", { dag_id: "m", state: "failed" })).toBe(1);
    expect(sample(text, "baton_dag_run_duration_seconds_count", { dag_id: "m", state: "failed" })).toBe(1);
    expect(sample(text, "baton_dag_run_duration_seconds_sum", { dag_id: "m", state: "failed" })).toBeGreaterThanOrEqual(0.3);
    expect(sample(text, "baton_task_instances_finished_total", { dag_id: "m", task_id: "a", state: "success" })).toBe(1);
    expect(sample(text, "baton_task_instances_finished_total", { dag_id: "m", task_id: "b", state: "failed" })).toBe(1);
    expect(sample(text, "baton_task_instances_finished_total", { dag_id: "m", task_id: "c", state: "upstream_failed" })).toBe(1);
    expect(sample(text, "baton_task_duration_seconds_sum", { dag_id: "m", task_id: "a", state: "success" })).toBeGreaterThanOrEqual(0.3);
    expect(sample(text, "baton_task_duration_seconds_count", { dag_id: "m", task_id: "b", state: "failed" })).toBe(1);
    expect(sample(text, "baton_task_queued_to_start_seconds_count", { dag_id: "m" })).toBe(2);
    expect(sample(text, "baton_scheduler_loop_duration_seconds_count")).toBeGreaterThan(0);
    expect(sample(text, "baton_scheduler_commit_duration_seconds_count", { outcome: "ok" })).toBeGreaterThan(0);
    expect(sample(text, "baton_scheduler_ready_tasks")).toBe(0);
    expect(sample(text, "baton_scheduler_parked_tasks", { reason: "pool_full" })).toBe(0);
    expect(sample(text, "baton_pool_slots", { pool: "default_pool", state: "used" })).toBe(0);
    expect(sample(text, "baton_pool_slots", { pool: "default_pool", state: "open" })).toBe(open + 1);
    expect(sample(text, "baton_executor_workers", { state: "busy" })).toBe(0);
    expect(sample(text, "baton_executor_workers", { state: "idle" })).toBe(2);
    expect(text).not.toContain(created.runId);
  });

  it("work parked behind a full pool and a DAG at maxActiveTasks shows by reason, and drains", async () => {
    const sleeper = (id: string, opts: string) => `d.task("${id}", { ${opts} }, async () => { await new Promise((r) => setTimeout(r, 400)); return 1; });`;
    h = new Harness({
      "p.ts": `${HEADER}export default dag({ id: "p" }, (d) => {\n${["a", "b", "c"].map((t) => sleeper(t, 'pool: "one"')).join("\n")}\n});\n`,
      "q.ts": `${HEADER}export default dag({ id: "q", maxActiveTasks: 1 }, (d) => {\n${["x", "y"].map((t) => sleeper(t, "")).join("\n")}\n});\n`,
    });
    await h.load();
    await h.store.upsertPool({ name: "one", slots: 1, description: "" });
    const metrics = new PrometheusMetrics({ process: "scheduler", version: "test", defaultMetrics: false });
    await h.start({ executor: new LocalProcessExecutor({ processes: 4, prefetch: 1, killGraceMs: 200 }), metrics });
    metrics.observeScheduler(h.scheduler);
    const [p, q] = [await h.trigger("p"), await h.trigger("q")];
    let text = "";
    for (let i = 0; i < 300; i++) {
      text = await metrics.render();
      if (
        sample(text, "baton_scheduler_parked_tasks", { reason: "pool_full" }) === 2 &&
        sample(text, "baton_scheduler_parked_tasks", { reason: "dag_full" }) === 1
      )
        break;
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(sample(text, "baton_scheduler_parked_tasks", { reason: "pool_full" })).toBe(2);
    expect(sample(text, "baton_scheduler_parked_tasks", { reason: "dag_full" })).toBe(1);
    expect(sample(text, "baton_pool_slots", { pool: "one", state: "used" })).toBe(1);
    expect(sample(text, "baton_pool_slots", { pool: "one", state: "open" })).toBe(0);
    expect((await h.scheduler.waitForRun(p.id)).state).toBe("success");
    expect((await h.scheduler.waitForRun(q.id)).state).toBe("success");
    text = await metrics.render();
    expect(sample(text, "baton_scheduler_parked_tasks", { reason: "pool_full" })).toBe(0);
    expect(sample(text, "baton_scheduler_parked_tasks", { reason: "dag_full" })).toBe(0);
    expect(sample(text, "baton_pool_slots", { pool: "one", state: "open" })).toBe(1);
  });
});
