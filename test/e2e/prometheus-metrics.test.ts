import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { baton, poll, startBaton, startStandalone, stopProcess, waitExit } from "./baton-cli.js";

// A real Prometheus (Debian package `prometheus`) scrapes a real `baton standalone` on 127.0.0.1,
// and the series are checked through Prometheus's own query API (docs/metrics.md).

const PROMETHEUS = "/usr/bin/prometheus";

const DAGS = {
  "metrics_ok.ts": `import { dag } from "baton";
export default dag({ id: "metrics_ok" }, (d) => {
  const a = d.task("extract", async () => 1);
  d.task("load", { inputs: { a } }, async (_ctx, { a }) => a + 1);
});
`,
  "metrics_fail.ts": `import { dag } from "baton";
export default dag({ id: "metrics_fail" }, (d) => {
  d.task("boom", async () => { throw new Error("boom"); });
});
`,
  "broken.ts": `import { dag } from "baton";\nexport default dag({ id: "broken" }, (d) => { d.task("x", async () => 1) ;\n`,
};

let root: string;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  if (root) rmSync(root, { recursive: true, force: true });
});

function setUp(): Record<string, string> {
  root = mkdtempSync(join(tmpdir(), "baton-prom-e2e-"));
  mkdirSync(join(root, "dags"));
  for (const [name, text] of Object.entries(DAGS)) writeFileSync(join(root, "dags", name), text);
  return {
    BATON_HOME: join(root, "home"),
    BATON_DAGS: join(root, "dags"),
    BATON_API_PORT: "0",
    BATON_METRICS_PORT: "0",
    BATON_POLL_MS: "100",
    BATON_WORKERS: "1",
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface ScrapeJob {
  name: string;
  /** host:port */
  target: string;
  /** A file holding the bearer token Prometheus sends. */
  tokenFile?: string;
}

/** Starts Prometheus on a free port with a temp storage folder, scraping `jobs` every second; resolves its URL once ready. */
async function startPrometheus(jobs: ScrapeJob[]): Promise<string> {
  const dir = join(root, "prometheus");
  mkdirSync(dir, { recursive: true });
  const config = [
    "global:",
    "  scrape_interval: 1s",
    "  scrape_timeout: 1s",
    "scrape_configs:",
    ...jobs.flatMap((j) => [
      `  - job_name: ${j.name}`,
      "    metrics_path: /metrics",
      ...(j.tokenFile ? ["    authorization:", "      type: Bearer", `      credentials_file: ${j.tokenFile}`] : []),
      "    static_configs:",
      `      - targets: ["${j.target}"]`,
    ]),
  ].join("\n");
  writeFileSync(join(dir, "prometheus.yml"), `${config}\n`);
  const port = await freePort();
  const proc: ChildProcess = spawn(
    PROMETHEUS,
    [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn"],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let log = "";
  proc.stdout!.on("data", (d: Buffer) => (log += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  cleanups.push(async () => {
    proc.kill("SIGTERM");
    await waitExit(proc, 15_000).catch(() => proc.kill("SIGKILL"));
  });
  const url = `http://127.0.0.1:${port}`;
  await poll(async () => {
    if (proc.exitCode !== null) throw new Error(`prometheus exited ${proc.exitCode}:\n${log}`);
    const ok = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    return ok ? true : undefined;
  }, 30_000);
  return url;
}

interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Runs an instant query through Prometheus's HTTP API. */
async function query(prometheus: string, promql: string): Promise<Sample[]> {
  const res = await fetch(`${prometheus}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as { status: string; data?: { resultType: string; result: Sample[] }; error?: string };
  if (body.status !== "success") throw new Error(`query ${promql} failed: ${body.error}`);
  return body.data!.result;
}

/** Waits until `promql` has a sample, then returns the value of the first. */
async function valueOf(prometheus: string, promql: string, timeoutMs = 30_000): Promise<number> {
  const result = await poll(async () => {
    const r = await query(prometheus, promql);
    return r.length > 0 ? r : undefined;
  }, timeoutMs).catch(() => {
    throw new Error(`Prometheus never had a sample for ${promql}`);
  });
  return Number(result[0]!.value[1]);
}

async function runToEnd(api: string, dagId: string, headers: Record<string, string> = {}): Promise<string> {
  const trig = await fetch(`${api}/api/v1/dags/${dagId}/runs`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: "{}" });
  expect(trig.status).toBe(201);
  const { runId } = (await trig.json()) as { runId: string };
  const run = await poll(async () => {
    const r = (await (await fetch(`${api}/api/v1/dags/${dagId}/runs/${encodeURIComponent(runId)}`, { headers })).json()) as { state: string };
    return r.state === "success" || r.state === "failed" ? r : undefined;
  });
  return run.state;
}

const hostPort = (url: string) => new URL(url).host;

describe("metrics through a real Prometheus", () => {
  it("local mode: Prometheus scrapes /metrics on the API's port without credentials, and the metrics port; runs, tasks, durations, gauges are queryable", async (t) => {
    if (!existsSync(PROMETHEUS)) {
      console.warn(`skipped: ${PROMETHEUS} is absent (Debian package "prometheus")`);
      t.skip();
      return;
    }
    const env = setUp();
    const s = await startStandalone(env);
    cleanups.push(() => stopProcess(s.proc));
    const out = s.output();
    const api = /UI and API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)![1]!;
    const metricsPort = /(http:\/\/127\.0\.0\.1:\d+)\/metrics \(no auth\)/.exec(out)?.[1];
    expect(out).toContain(`Metrics:     ${api}/metrics, `);
    expect(metricsPort).toBeDefined();

    expect(await runToEnd(api, "metrics_ok")).toBe("success");
    expect(await runToEnd(api, "metrics_fail")).toBe("failed");

    const prometheus = await startPrometheus([
      { name: "baton", target: hostPort(api) },
      { name: "baton_metrics_port", target: hostPort(metricsPort!) },
    ]);
    expect(await valueOf(prometheus, 'up{job="baton"}')).toBe(1);
    expect(await valueOf(prometheus, 'up{job="baton_metrics_port"}')).toBe(1);
    const q = (promql: string) => valueOf(prometheus, promql);
    expect(await q('baton_build_info{job="baton",process="standalone"}')).toBe(1);
    expect(await q('baton_dag_runs_finished_total{job="baton",dag_id="metrics_ok",state="success"}')).toBe(1);
    expect(await q('baton_dag_runs_finished_total{job="baton",dag_id="metrics_fail",state="failed"}')).toBe(1);
    expect(await q('baton_task_instances_finished_total{job="baton",dag_id="metrics_ok",task_id="load",state="success"}')).toBe(1);
    expect(await q('baton_task_instances_finished_total{job="baton",dag_id="metrics_fail",task_id="boom",state="failed"}')).toBe(1);
    expect(await q('baton_dag_run_duration_seconds_count{job="baton",dag_id="metrics_ok",state="success"}')).toBe(1);
    expect(await q('sum(baton_task_duration_seconds_count{job="baton",dag_id="metrics_ok"})')).toBe(2);
    expect(await q('baton_task_queued_to_start_seconds_count{job="baton",dag_id="metrics_ok"}')).toBe(2);
    const p99 = await q('histogram_quantile(0.99, sum by (le) (baton_task_queued_to_start_seconds_bucket{job="baton"}))');
    expect(p99).toBeGreaterThan(0);
    expect(p99).toBeLessThan(60);
    expect(await q('baton_scheduler_loop_duration_seconds_count{job="baton"}')).toBeGreaterThan(0);
    expect(await q('baton_scheduler_commit_duration_seconds_count{job="baton",outcome="ok"}')).toBeGreaterThan(0);
    expect(await q('baton_scheduler_ready_tasks{job="baton"}')).toBe(0);
    expect(await q('baton_scheduler_parked_tasks{job="baton",reason="pool_full"}')).toBe(0);
    expect(await q('baton_pool_slots{job="baton",pool="default_pool",state="used"}')).toBe(0);
    expect(await q('baton_pool_slots{job="baton",pool="default_pool",state="open"}')).toBeGreaterThan(0);
    expect(await q('baton_executor_workers{job="baton",state="idle"}')).toBe(1);
    expect(await q('baton_executor_workers{job="baton",state="busy"}')).toBe(0);
    expect(await q('baton_dag_import_errors{job="baton"}')).toBe(1);
    expect(await q('sum(baton_dag_file_parse_duration_seconds_count{job="baton"})')).toBe(3);
    expect(await q('baton_dag_file_parse_duration_seconds_count{job="baton",outcome="error"}')).toBe(1);
    expect(await q('baton_triggerer_waits{job="baton"}')).toBe(0);
    expect(await q('baton_process_resident_memory_bytes{job="baton"}')).toBeGreaterThan(0);
    // The metrics port serves the same process's series.
    expect(await q('baton_dag_runs_finished_total{job="baton_metrics_port",dag_id="metrics_ok",state="success"}')).toBe(1);
    // Every series Baton exposes is named baton_* (Prometheus adds up and scrape_* itself).
    const names = (await query(prometheus, 'count by (__name__) ({job="baton"})')).map((r) => r.metric.__name__!);
    expect(names.filter((n) => !n.startsWith("baton_") && n !== "up" && !n.startsWith("scrape_"))).toEqual([]);
    // No run id in any label.
    const runLabels = await query(prometheus, 'count by (run_id) ({job="baton", run_id!=""})');
    expect(runLabels).toEqual([]);
  });

  it("outside local mode: /metrics needs a bearer token; Prometheus scrapes with one, and is refused without", async (t) => {
    if (!existsSync(PROMETHEUS)) {
      console.warn(`skipped: ${PROMETHEUS} is absent (Debian package "prometheus")`);
      t.skip();
      return;
    }
    const env = { ...setUp(), BATON_AUTH: "required" };
    delete (env as Record<string, string>).BATON_METRICS_PORT;
    for (const args of [
      ["db", "migrate"],
      ["users", "create", "ops", "--role", "op", "--password", "correct horse battery"],
    ]) {
      const r = await baton(args, env);
      expect(r.code, r.stderr).toBe(0);
    }
    // A viewer's token is enough to scrape; triggering needs more.
    const token = (await baton(["tokens", "create", "--user", "ops", "--name", "prometheus", "--role", "viewer"], env)).stdout.trim();
    const opToken = (await baton(["tokens", "create", "--user", "ops", "--name", "e2e"], env)).stdout.trim();
    const s = await startStandalone(env);
    cleanups.push(() => stopProcess(s.proc));
    const api = /UI and API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(s.output())![1]!;
    expect(s.output()).not.toContain("(no auth)");

    const anonymous = await fetch(`${api}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.text()).not.toContain("baton_");
    const withToken = await fetch(`${api}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(withToken.status).toBe(200);
    expect(await withToken.text()).toContain("# TYPE baton_dag_runs_finished_total counter");

    expect(await runToEnd(api, "metrics_ok", { authorization: `Bearer ${opToken}` })).toBe("success");
    const tokenFile = join(root, "token");
    writeFileSync(tokenFile, token, { mode: 0o600 });
    const prometheus = await startPrometheus([
      { name: "baton", target: hostPort(api), tokenFile },
      { name: "baton_anonymous", target: hostPort(api) },
    ]);
    expect(await valueOf(prometheus, 'up{job="baton"}')).toBe(1);
    expect(await valueOf(prometheus, 'up{job="baton_anonymous"}')).toBe(0);
    expect(await valueOf(prometheus, 'baton_dag_runs_finished_total{job="baton",dag_id="metrics_ok",state="success"}')).toBe(1);
    expect(await query(prometheus, '{job="baton_anonymous",__name__=~"baton_.+"}')).toEqual([]);
  });
});

describe("metrics of `baton scheduler` and `baton api` as separate processes", () => {
  it("the scheduler serves its series on --metrics-port (no auth); the API serves its process metrics at /metrics with a token", async () => {
    const env = setUp();
    delete (env as Record<string, string>).BATON_METRICS_PORT;
    env.BATON_DATABASE_URL = join(root, "shared.db");
    for (const args of [
      ["db", "migrate"],
      ["users", "create", "ops", "--role", "op", "--password", "correct horse battery"],
    ]) {
      const r = await baton(args, env);
      expect(r.code, r.stderr).toBe(0);
    }
    const token = (await baton(["tokens", "create", "--user", "ops", "--name", "e2e"], env)).stdout.trim();
    const scheduler = await startBaton(["scheduler", "--workers", "1", "--metrics-port", "0"], env, "Baton scheduler is running");
    cleanups.push(() => stopProcess(scheduler.proc));
    const schedulerMetrics = /Metrics:\s+(http:\/\/127\.0\.0\.1:\d+\/metrics) \(no auth\)/.exec(scheduler.output())?.[1];
    expect(schedulerMetrics, scheduler.output()).toBeDefined();
    const apiProc = await startBaton(["api"], env, /http:\/\/127\.0\.0\.1:\d+/);
    cleanups.push(() => stopProcess(apiProc.proc));
    const api = /(http:\/\/127\.0\.0\.1:\d+)/.exec(apiProc.output())![1]!;
    const auth = { authorization: `Bearer ${token}` };

    expect(await runToEnd(api, "metrics_ok", auth)).toBe("success");
    const fromScheduler = await poll(async () => {
      const text = await (await fetch(schedulerMetrics!)).text();
      return text.includes('baton_dag_runs_finished_total{dag_id="metrics_ok",state="success"} 1') ? text : undefined;
    });
    expect(fromScheduler).toContain('baton_build_info{version="');
    expect(fromScheduler).toContain('process="scheduler"} 1');
    expect((await fetch(schedulerMetrics!.replace("/metrics", "/api/v1/dags"))).status).toBe(404);

    expect((await fetch(`${api}/metrics`)).status).toBe(401);
    const fromApi = await (await fetch(`${api}/metrics`, { headers: auth })).text();
    expect(fromApi).toContain('process="api"} 1');
    expect(fromApi).toContain("baton_process_cpu_user_seconds_total");
    expect(fromApi).not.toContain("baton_dag_runs_finished_total");
  });
});
