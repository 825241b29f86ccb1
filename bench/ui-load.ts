/**
 * `npm run bench -- --ui [--json] [--samples N] [--dags D --runs-per-dag R --tasks T]`: how fast
 * the UI shows content over a big store (issue 12: 100 DAGs × 200 runs × 50 tasks, target
 * < 300 ms to first content). Seeds a real SQLite store (DAG files loaded by the DAG processor,
 * then runs and task instances inserted in the store's own tables in one transaction per DAG),
 * starts the real `baton standalone` on 127.0.0.1 over it, and opens the home page (`/`) and a
 * DAG's grid (`/dags/<id>/grid`) in real headless Chromium, each in a fresh browser context
 * (cold cache), `samples` times. Per page: first contentful paint, the time until its content is
 * on screen (home: the health tiles and the runs card; grid: the task cells) — in the server's
 * first view of the page or the UI's render, whichever comes first — and when the UI's own render
 * shows it (`appRenderedMs`), the bytes
 * transferred (compressed, as the browser's Resource Timing reports them), and the time of the
 * API calls behind it as the page made them. The two endpoints are also timed from Node.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import Database from "better-sqlite3";
import { chromium, type Browser } from "playwright-core";
import { loadConfig } from "../src/config/config.js";
import { DagSync } from "../src/dag-processor/dag-sync.js";
import { openSqliteStore } from "../src/store/sqlite/open-sqlite-store.js";

export interface UiLoadShape {
  dags: number;
  runsPerDag: number;
  tasks: number;
}

export const UI_LOAD_SHAPE: UiLoadShape = { dags: 100, runsPerDag: 200, tasks: 50 };
const CHROMIUM = "/usr/bin/chromium";
const HOUR = 3_600_000;
const STATES = ["success", "success", "success", "success", "success", "success", "failed", "upstream_failed", "skipped", "success"] as const;

/** One page's figures: medians over the samples, ms from navigation start unless named otherwise. */
export interface PageLoad {
  path: string;
  firstContentfulPaintMs: number;
  contentVisibleMs: number;
  /**
   * When the UI's own render shows the content (the first frame with the content and without the
   * server's first view, docs/ui.md "First view"): from then on the page answers clicks and keys.
   * The same as contentVisibleMs for a page the server writes no first view of.
   */
  appRenderedMs: number;
  domContentLoadedMs: number;
  /** The API calls the page made before its content showed: path → median duration (request start → response end, in the browser). */
  apiMs: Record<string, number>;
  /** Bytes over the wire (headers and compressed bodies) of the first load: the document, its scripts and styles, and the API calls. */
  transferBytes: { total: number; assets: number; api: number };
  /** Bytes the same responses decode to (what compression saved). */
  decodedBytes: { total: number; assets: number; api: number };
  samples: number[];
}

export interface UiLoadResult {
  shape: UiLoadShape;
  taskInstances: number;
  seedMs: number;
  startMs: number;
  home: PageLoad;
  grid: PageLoad;
  /** Server time of each endpoint timed from Node (median of 15, after 3 warm-ups): path → ms. */
  nodeApiMs: Record<string, number>;
}

/** Seeds, starts a standalone, measures, stops. `root` is an empty temp folder the caller deletes. */
export async function measureUiLoad(root: string, shape: UiLoadShape, samples: number, bin: string): Promise<UiLoadResult> {
  const seedStart = performance.now();
  const { dagsDir, dagIds } = await seedUiStore(root, shape);
  const seedMs = performance.now() - seedStart;

  const startAt = performance.now();
  const standalone = await startStandalone(bin, { BATON_HOME: root, BATON_DAGS: dagsDir, BATON_API_PORT: "0", BATON_WORKERS: "1", BATON_POLL_MS: "1000" });
  const startMs = performance.now() - startAt;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless=new",
      "--no-sandbox",
      "--disable-gpu",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  try {
    const gridDag = dagIds[Math.floor(dagIds.length / 2)]!;
    const nodeApiMs: Record<string, number> = {};
    for (const path of ["/api/v1/overview", `/api/v1/dags/${gridDag}/grid?limit=25`]) nodeApiMs[path] = await timeEndpoint(standalone.url, path);
    // One throw-away load of each page: the server's first-request compilations and caches.
    await loadPage(browser, standalone.url, "/", HOME_READY);
    await loadPage(browser, standalone.url, `/dags/${gridDag}/grid`, GRID_READY);
    const home = await measurePage(browser, standalone.url, "/", HOME_READY, samples);
    const grid = await measurePage(browser, standalone.url, `/dags/${gridDag}/grid`, GRID_READY, samples);
    return { shape, taskInstances: shape.dags * shape.runsPerDag * shape.tasks, seedMs, startMs, home, grid, nodeApiMs };
  } finally {
    await browser.close();
    await stop(standalone.proc);
  }
}

/**
 * A Baton home in `root` (`$BATON_HOME`; DAG files in `root/dags`) with the shape's DAGs loaded by
 * the DAG processor and their runs and task instances inserted. `baton standalone` with
 * `BATON_HOME=root BATON_DAGS=root/dags` serves it.
 */
export async function seedUiStore(root: string, shape: UiLoadShape): Promise<{ dagsDir: string; dagIds: string[] }> {
  const dagsDir = join(root, "dags");
  mkdirSync(dagsDir, { recursive: true });
  const dagIds = Array.from({ length: shape.dags }, (_, i) => `ui_bench_${String(i).padStart(3, "0")}`);
  for (const id of dagIds) writeFileSync(join(dagsDir, `${id}.ts`), dagFile(id, shape.tasks));
  const config = loadConfig({ home: root, dags: dagsDir });
  const store = await openSqliteStore(join(root, "baton.db"));
  try {
    await new DagSync(store, { dagsDir, bundleDir: config.bundleDir }).syncOnce();
  } finally {
    await store.close();
  }
  seedRuns(join(root, "baton.db"), dagIds, shape);
  return { dagsDir, dagIds };
}

/** The home page shows content once the health tiles and the runs card are there. */
const HOME_READY = `document.querySelector('[data-testid^="component-scheduler-"]') && document.querySelector('[data-testid="home-runs"]')`;
/** The grid shows content once its cells are there (a task's, or a collapsed group's). */
const GRID_READY = `document.querySelector('[data-testid^="grid-cell-"], [data-testid^="grid-group-cell-"]')`;

function dagFile(dagId: string, tasks: number): string {
  return `import { dag } from "baton";
export default dag({ id: ${JSON.stringify(dagId)}, tags: ["bench"] }, (d) => {
  let prev = d.task("step00", async () => null);
  for (let i = 1; i < ${tasks}; i++) prev = prev.then(d.task(\`step\${String(i).padStart(2, "0")}\`, async () => null));
});
`;
}

/** Runs (hourly, the newest an hour ago) and their task instances, in the store's own tables, one transaction per DAG. */
function seedRuns(dbPath: string, dagIds: string[], shape: UiLoadShape): void {
  const db = new Database(dbPath);
  try {
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = OFF");
    const version = db.prepare<[string], { latest_version: string }>("SELECT latest_version FROM dags WHERE dag_id = ?");
    const run = db.prepare(
      `INSERT INTO dag_runs (dag_id, run_id, run_type, state, logical_date, data_interval_start, data_interval_end, run_after, conf, dag_version, backfill_id, started_at, ended_at, note, created_at, triggered_by)
       VALUES (?, ?, 'scheduled', ?, ?, ?, ?, ?, '{}', ?, NULL, ?, ?, NULL, ?, NULL)`,
    );
    const ti = db.prepare(
      `INSERT INTO task_instances (run_pk, task_id, map_index, state, try_number, max_tries, infra_tries, priority, pool, pool_slots, queued_at, started_at, ended_at, next_retry_at, output, error, followed, first_poke_at, poke_count, trigger_spec, updated_at)
       VALUES (?, ?, -1, ?, ?, 2, 0, 1, 'default_pool', 1, ?, ?, ?, NULL, NULL, NULL, NULL, NULL, NULL, NULL, ?)`,
    );
    // No `_` or `.` in the ids: no prefix groups, so the grid draws every task's row (the heavier case).
    const taskIds = Array.from({ length: shape.tasks }, (_, i) => `step${String(i).padStart(2, "0")}`);
    const newest = Math.floor(Date.now() / HOUR) * HOUR - HOUR;
    const seedDag = db.transaction((dagId: string, d: number) => {
      const v = version.get(dagId)?.latest_version;
      if (v === undefined) throw new Error(`DAG ${dagId} was not loaded: see its file in the bench's dags folder`);
      for (let r = 0; r < shape.runsPerDag; r++) {
        const at = newest - (shape.runsPerDag - 1 - r) * HOUR;
        const failed = (r * 7 + d) % 23 === 0;
        const end = at + 40 * 60_000;
        const info = run.run(
          dagId,
          `scheduled__${new Date(at).toISOString()}`,
          failed ? "failed" : "success",
          at,
          at,
          at + HOUR,
          at + HOUR,
          v,
          at + 60_000,
          end,
          at + HOUR,
        );
        const pk = Number(info.lastInsertRowid);
        for (let t = 0; t < taskIds.length; t++) {
          const state = failed ? STATES[(t + r) % STATES.length]! : "success";
          const start = at + 60_000 + t * 40_000;
          ti.run(pk, taskIds[t]!, state, (t + r) % 13 === 0 ? 2 : 1, start - 1000, start, start + 30_000, start + 30_000);
        }
      }
    });
    dagIds.forEach((id, d) => seedDag(id, d));
    db.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    db.close();
  }
}

function startStandalone(bin: string, env: Record<string, string>): Promise<{ proc: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, [bin, "standalone"], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`standalone did not start in 120 s:\n${out}`)), 120_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const url = /UI and API:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url && out.includes("Baton standalone is running")) {
        clearTimeout(timer);
        resolve({ proc, url });
      }
    };
    proc.stdout!.on("data", onData);
    proc.stderr!.on("data", onData);
    proc.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`standalone exited ${code}:\n${out}`));
    });
  });
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  proc.removeAllListeners("exit");
  const exited = new Promise((resolve) => proc.once("exit", resolve));
  proc.kill("SIGTERM");
  const t = setTimeout(() => proc.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(t);
}

async function timeEndpoint(base: string, path: string): Promise<number> {
  const once = async () => {
    const t0 = performance.now();
    const res = await fetch(base + path, { headers: { "accept-encoding": "br, gzip" } });
    if (!res.ok) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
    await res.arrayBuffer();
    return performance.now() - t0;
  };
  for (let i = 0; i < 3; i++) await once();
  const times: number[] = [];
  for (let i = 0; i < 15; i++) times.push(await once());
  return median(times);
}

interface OneLoad {
  fcp: number;
  visible: number;
  app: number;
  dcl: number;
  entries: { name: string; initiatorType: string; transferSize: number; decodedBodySize: number; requestStart: number; responseEnd: number }[];
}

/** One cold load in a fresh context: timings from the page's own clock (ms since navigation start). */
async function loadPage(browser: Browser, base: string, path: string, ready: string): Promise<OneLoad> {
  // bypassCSP: the page allows no eval, and the readiness check is an expression string (the bench has no DOM types).
  const context = await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 }, bypassCSP: true });
  try {
    const page = await context.newPage();
    await page.goto(path, { waitUntil: "commit", timeout: 60_000 });
    const visible = await (await page.waitForFunction(`(${ready}) ? performance.now() : false`, undefined, { polling: "raf", timeout: 60_000 })).jsonValue();
    const app = await (
      await page.waitForFunction(`!document.getElementById("first-view") && (${ready}) ? performance.now() : false`, undefined, {
        polling: "raf",
        timeout: 60_000,
      })
    ).jsonValue();
    await page.waitForFunction(`performance.getEntriesByName("first-contentful-paint").length > 0`, undefined, { timeout: 10_000 });
    const figures = await page.evaluate<Omit<OneLoad, "visible" | "app">>(`(() => {
      const nav = performance.getEntriesByType("navigation")[0];
      const fcp = performance.getEntriesByName("first-contentful-paint")[0].startTime;
      const all = [nav, ...performance.getEntriesByType("resource")].map((e) => ({
        name: new URL(e.name).pathname + new URL(e.name).search, initiatorType: e.initiatorType, transferSize: e.transferSize,
        decodedBodySize: e.decodedBodySize, requestStart: e.requestStart, responseEnd: e.responseEnd }));
      return { fcp, dcl: nav.domContentLoadedEventEnd, entries: all };
    })()`);
    return { ...figures, visible: Number(visible), app: Number(app) };
  } finally {
    await context.close();
  }
}

async function measurePage(browser: Browser, base: string, path: string, ready: string, samples: number): Promise<PageLoad> {
  const loads: OneLoad[] = [];
  for (let i = 0; i < samples; i++) loads.push(await loadPage(browser, base, path, ready));
  const first = loads[0]!;
  const isApi = (e: { name: string }) => e.name.startsWith("/api/");
  const sum = (pick: (e: OneLoad["entries"][number]) => number, keep: (e: OneLoad["entries"][number]) => boolean) =>
    median(loads.map((l) => l.entries.filter((e) => keep(e) && e.responseEnd <= l.visible + 1).reduce((s, e) => s + pick(e), 0)));
  const apiPaths = [...new Set(first.entries.filter((e) => isApi(e) && e.responseEnd <= first.visible + 1).map((e) => e.name))];
  const apiMs: Record<string, number> = {};
  for (const p of apiPaths) {
    const times = loads
      .map((l) => l.entries.find((e) => e.name === p))
      .filter((e) => e !== undefined)
      .map((e) => e.responseEnd - e.requestStart);
    apiMs[p] = round(median(times));
  }
  const bytes = (pick: (e: OneLoad["entries"][number]) => number) => {
    const api = sum(pick, isApi);
    const assets = sum(pick, (e) => !isApi(e));
    return { total: api + assets, assets, api };
  };
  return {
    path,
    firstContentfulPaintMs: round(median(loads.map((l) => l.fcp))),
    contentVisibleMs: round(median(loads.map((l) => l.visible))),
    appRenderedMs: round(median(loads.map((l) => l.app))),
    domContentLoadedMs: round(median(loads.map((l) => l.dcl))),
    apiMs,
    transferBytes: bytes((e) => e.transferSize),
    decodedBytes: bytes((e) => e.decodedBodySize),
    samples: loads.map((l) => round(l.visible)),
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
}

const round = (x: number) => Math.round(x * 10) / 10;

/** The text `npm run bench -- --ui` prints. */
export function formatUiLoad(r: UiLoadResult): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
  const page = (name: string, p: PageLoad) =>
    `${name} ${p.path}: first contentful paint ${p.firstContentfulPaintMs} ms, content visible ${p.contentVisibleMs} ms (samples ${p.samples.join(" / ")} ms), app rendered ${p.appRenderedMs} ms, DOMContentLoaded ${p.domContentLoadedMs} ms\n` +
    `  transferred ${kb(p.transferBytes.total)} (assets ${kb(p.transferBytes.assets)}, API ${kb(p.transferBytes.api)}) — decoded ${kb(p.decodedBytes.total)}\n` +
    `  API calls before content (browser, request → response end): ${Object.entries(p.apiMs)
      .map(([k, v]) => `${k} ${v} ms`)
      .join(", ")}\n`;
  return (
    `Baton UI load — ${r.shape.dags} DAGs × ${r.shape.runsPerDag} runs × ${r.shape.tasks} tasks (${r.taskInstances.toLocaleString("en")} task instances, SQLite), real \`baton standalone\`, headless Chromium, cold cache per load; medians\n` +
    `seeded in ${(r.seedMs / 1000).toFixed(1)} s; standalone up in ${(r.startMs / 1000).toFixed(1)} s\n` +
    page("home", r.home) +
    page("grid", r.grid) +
    `API from Node (median of 15): ${Object.entries(r.nodeApiMs)
      .map(([k, v]) => `${k} ${round(v)} ms`)
      .join(", ")}\n`
  );
}
