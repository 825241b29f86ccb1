import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PrometheusMetrics } from "../../src/metrics/index.js";

// The files shipped in deploy/ (docs/metrics.md): Prometheus alerting rules checked and unit-tested
// by the real `promtool`, a Grafana dashboard, an example scrape config; every series they name
// is one Baton exposes.

const ROOT = join(import.meta.dirname, "..", "..");
const RULES = join(ROOT, "deploy", "prometheus", "baton-alerts.yml");
const SCRAPE = join(ROOT, "deploy", "prometheus", "prometheus.yml");
const DASHBOARD = join(ROOT, "deploy", "grafana", "baton-dashboard.json");
const PROMTOOL = "/usr/bin/promtool";

const work = mkdtempSync(join(tmpdir(), "baton-promtool-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function promtool(args: string[], cwd = work): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(PROMTOOL, args, { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, out: stdout + stderr });
    });
  });
}

/** Every series name a standalone process exposes, gauges included. */
function exposedNames(): Set<string> {
  const m = new PrometheusMetrics({ process: "standalone", version: "test" });
  m.observeScheduler({ gauges: () => ({ ready: 0, parked: { dagFull: 0, poolFull: 0 }, pools: [] }), onDomainEvent: () => () => {} });
  m.observeWorkers({ workerCounts: () => ({ busy: 0, idle: 0 }) });
  m.observeDagFiles({ importErrors: 0 });
  m.observeTriggerer({ size: 0 });
  return new Set(m.registry.getMetricsAsArray().map((x) => x.name));
}

/** Metric names in a text: `baton_…`, a histogram's `_bucket`/`_sum`/`_count` mapped to the histogram. */
function namesIn(text: string, exposed: Set<string>): string[] {
  const names = new Set([...text.matchAll(/\bbaton_[a-z0-9_]+/g)].map((m) => m[0]));
  return [...names].map((n) => (exposed.has(n) ? n : n.replace(/_(bucket|sum|count)$/, "")));
}

const promtoolAbsent = !existsSync(PROMTOOL);
const skipReason = `skipped: ${PROMTOOL} is absent (Debian package "prometheus")`;

describe("deploy/prometheus/baton-alerts.yml", () => {
  it("passes `promtool check rules`", async (t) => {
    if (promtoolAbsent) {
      console.warn(skipReason);
      t.skip();
      return;
    }
    const r = await promtool(["check", "rules", RULES]);
    expect(r.out).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.code, r.out).toBe(0);
  });

  it("fires as intended on synthetic series (`promtool test rules`), and stays quiet when things are fine", async (t) => {
    if (promtoolAbsent) {
      console.warn(skipReason);
      t.skip();
      return;
    }
    writeFileSync(join(work, "baton-alerts.yml"), readFileSync(RULES));
    const target = 'job="baton",instance="127.0.0.1:8080"';
    const tests = `
rule_files: [baton-alerts.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      # etl: one failed and one successful run a minute; ok: successes only.
      - series: 'baton_dag_runs_finished_total{${target},dag_id="etl",state="failed"}'
        values: '0+1x90'
      - series: 'baton_dag_runs_finished_total{${target},dag_id="etl",state="success"}'
        values: '0+1x90'
      - series: 'baton_dag_runs_finished_total{${target},dag_id="ok",state="success"}'
        values: '0+1x90'
      - series: 'baton_scheduler_ready_tasks{${target}}'
        values: '150x30'
      - series: 'baton_scheduler_parked_tasks{${target},reason="dag_full"}'
        values: '0x30'
      - series: 'baton_scheduler_parked_tasks{${target},reason="pool_full"}'
        values: '5x30'
      - series: 'baton_notifier_failures_total{${target},kind="slack"}'
        values: '0+1x60'
      - series: 'baton_notifier_deliveries_total{${target},kind="slack"}'
        values: '0x60'
      - series: 'up{${target}}'
        values: '1 1 1 0 0 0 0 0 0 0'
      - series: 'baton_scheduler_loop_duration_seconds_count{${target}}'
        values: '0+120x5 600x20'
    alert_rule_test:
      - eval_time: 70m
        alertname: BatonDagRunsFailing
        exp_alerts:
          - exp_labels: { severity: warning, dag_id: etl }
            exp_annotations:
              summary: "DAG etl: 50% of its runs failed in the last hour"
              description: "At least 2 runs of etl failed in the last hour, more than a quarter of those that finished."
      - eval_time: 10m
        alertname: BatonTaskQueueBacklog
        exp_alerts: []
      - eval_time: 20m
        alertname: BatonTaskQueueBacklog
        exp_alerts:
          - exp_labels: { severity: warning, job: baton, instance: "127.0.0.1:8080" }
            exp_annotations:
              summary: "155 task instances waiting for a slot on 127.0.0.1:8080"
              description: "More than 100 ready task instances have been waiting for 15 minutes (executor slots, pools or maxActiveTasks are too small for the load)."
      - eval_time: 20m
        alertname: BatonNotifierFailures
        exp_alerts:
          - exp_labels: { severity: warning, kind: slack }
            exp_annotations:
              summary: "Notifier slack failed 15 times in 15 minutes"
              description: "Alerts sent through slack are failing (they are retried with backoff): check its connection, URL or credentials."
      - eval_time: 2m
        alertname: BatonDown
        exp_alerts: []
      - eval_time: 6m
        alertname: BatonDown
        exp_alerts:
          - exp_labels: { severity: critical, job: baton, instance: "127.0.0.1:8080" }
            exp_annotations:
              summary: "Baton target 127.0.0.1:8080 (baton) is down"
              description: "Prometheus has not been able to scrape 127.0.0.1:8080 for 2 minutes: the process is down, unreachable, or refuses the scrape (a wrong or missing bearer token outside local mode)."
      - eval_time: 4m
        alertname: BatonSchedulerLoopStalled
        exp_alerts: []
      - eval_time: 20m
        alertname: BatonSchedulerLoopStalled
        exp_alerts:
          - exp_labels: { severity: critical, job: baton, instance: "127.0.0.1:8080" }
            exp_annotations:
              summary: "Baton scheduler loop on 127.0.0.1:8080 has stopped"
              description: "The process answers scrapes, but its scheduler loop completed no pass in 5 minutes (it runs every BATON_POLL_MS, 500 ms by default)."
`;
    writeFileSync(join(work, "baton-alerts.test.yml"), tests);
    const r = await promtool(["test", "rules", "baton-alerts.test.yml"]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain("SUCCESS");
  });

  it("names only series Baton exposes", () => {
    const exposed = exposedNames();
    expect(namesIn(readFileSync(RULES, "utf8"), exposed).filter((n) => !exposed.has(n))).toEqual([]);
  });
});

describe("deploy/prometheus/prometheus.yml", () => {
  it("passes `promtool check config`", async (t) => {
    if (promtoolAbsent) {
      console.warn(skipReason);
      t.skip();
      return;
    }
    const r = await promtool(["check", "config", SCRAPE], join(ROOT, "deploy", "prometheus"));
    expect(r.code, r.out).toBe(0);
  });
});

describe("deploy/grafana/baton-dashboard.json", () => {
  interface Panel {
    type: string;
    title: string;
    targets?: { expr: string }[];
  }
  const dashboard = JSON.parse(readFileSync(DASHBOARD, "utf8")) as { uid: string; title: string; panels: Panel[]; templating: { list: { name: string }[] } };

  it("is a Grafana dashboard whose panels query Baton's series through a data-source variable", () => {
    expect(dashboard.uid).toBe("baton-overview");
    expect(dashboard.templating.list.map((v) => v.name)).toEqual(["datasource", "job", "instance", "dag_id"]);
    const queries = dashboard.panels.filter((p) => p.type !== "row");
    expect(queries.length).toBeGreaterThan(15);
    for (const p of queries) {
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.expr, p.title).toMatch(/baton_|up\{/);
    }
  });

  it("covers every Baton series and names only series Baton exposes", () => {
    const exposed = exposedNames();
    const used = new Set(namesIn(readFileSync(DASHBOARD, "utf8"), exposed));
    expect([...used].filter((n) => !exposed.has(n))).toEqual([]);
    const engine = [...exposed].filter((n) => !/^baton_(process|nodejs)_/.test(n));
    expect(engine.filter((n) => !used.has(n))).toEqual([]);
  });
});
