/**
 * `npm run bench [-- --json] [-- --pg [url] [--schedulers N]] [-- --runs N --no-grid --no-takeover --reference]`: scheduling overhead of Baton itself, on the durable
 * embedded store (SQLite WAL, synchronous=FULL) — or, with `--pg`, on PostgreSQL (a scratch
 * database created on the server `url` names, default the local one, dropped afterwards) — and the
 * local warm process pool, with no-op tasks:
 *   (a) a chain of 200 tasks — ms per hop and median finish-to-start gap,
 *   (b) 2,000 independent tasks — tasks/s,
 *   (c) 10 layers × 100 tasks, each layer waiting for the whole previous one — total ms,
 *   (d) 1,000 copies of a mapped task (dynamic task mapping) — copies/s,
 *   (e) the API's grid page over a seeded store of 10,000 runs × 200 tasks — median server ms.
 * With `--schedulers N` (N ≥ 2, PostgreSQL only), N active schedulers share the workloads and the
 * take-over time after a kill -9 is measured too (bench/several-schedulers.ts).
 * With `--reference`, the in-process SQLite reference of shared/reference/peer-benchmarks.md runs
 * after Baton in the same process (bench/reference-runner.ts): key `reference`, with Baton/reference ratios.
 * With `--ui` (bench/ui-load.ts), it measures the UI instead: the home page and a DAG's grid in
 * headless Chromium over a real `baton standalone` on a store of 100 DAGs × 200 runs × 50 tasks
 * (`--samples N` cold loads each, default 5) — time to first content, API calls, bytes transferred.
 * With `--remote-workers N` (N 1–8), attempts run on N real `baton worker` processes connected to
 * an in-process worker hub over WebSocket, through the store's remote-attempts mailbox, instead of
 * the local pool (bench/remote-workers.ts; `--concurrency C` per worker, default the CPUs).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { loadConfig } from "../src/config/config.js";
import { systemClock } from "../src/core/ports/clock.js";
import type { AttemptReport, AttemptRequest, Executor, ExecutorListener } from "../src/core/ports/executor.js";
import { silentLogger } from "../src/core/ports/logger.js";
import { DagSync } from "../src/dag-processor/dag-sync.js";
import { LocalProcessExecutor } from "../src/executor/local-process-executor.js";
import { buildManualRun } from "../src/scheduler/run-factory.js";
import { Scheduler } from "../src/scheduler/scheduler.js";
import { measureGridPageMs } from "../src/api/measure-grid.js";
import { openSqliteStore } from "../src/store/sqlite/open-sqlite-store.js";
import { openPostgresStore } from "../src/store/postgres/open-postgres-store.js";
import type { FullStore } from "../src/store/index.js";
import { DEFAULT_PG_URL, createScratchDatabase } from "./scratch-database.js";
import { WORKLOADS, chainDag, fanoutDag, layeredDag, mappedDag, warmupDag } from "./workloads.js";
import { measureSeveral, measureTakeover, writeSeveralDags } from "./several-schedulers.js";
import { startRemoteWorkers, type RemoteWorkersSetup } from "./remote-workers.js";
import { formatUiLoad, measureUiLoad, UI_LOAD_SHAPE } from "./ui-load.js";
import { measureReference, type ReferenceFigures } from "./reference-runner.js";

/** Records when the scheduler hears of each attempt starting and finishing (high resolution). */
class TimedExecutor implements Executor {
  readonly startedAt = new Map<string, number>();
  readonly finishedAt = new Map<string, number>();
  constructor(private readonly inner: Executor) {}
  get capacity() {
    return this.inner.capacity;
  }
  stagingFor(queue: string) {
    return this.inner.stagingFor?.(queue) ?? 0;
  }
  handsOffInCommit(queue: string) {
    return this.inner.handsOffInCommit?.(queue) ?? false;
  }
  handOffRow(r: AttemptRequest) {
    return this.inner.handOffRow!(r);
  }
  start(listener: ExecutorListener) {
    return this.inner.start({
      started: (id, at, pid) => {
        this.startedAt.set(id.split("/")[1]!, performance.now());
        listener.started(id, at, pid);
      },
      finished: (r: AttemptReport) => {
        this.finishedAt.set(r.attemptId.split("/")[1]!, performance.now());
        listener.finished(r);
      },
    });
  }
  submit(r: AttemptRequest) {
    this.inner.submit(r);
  }
  cancel(id: string, reason: string) {
    this.inner.cancel(id, reason);
  }
  shutdown(graceMs: number) {
    return this.inner.shutdown(graceMs);
  }
  reset() {
    this.startedAt.clear();
    this.finishedAt.clear();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
/** Measured runs per workload (after one warm-up); the median is reported. `--runs N` changes it. */
const RUNS = runsArg(process.argv);
/** `--no-grid`: skip (e), the grid page (its seeding takes most of the bench's time); its keys are null. */
const GRID_ON = !process.argv.includes("--no-grid");
/** `--reference`: also run the in-process SQLite reference (bench/reference-runner.ts) in this process; key `reference`. */
const REFERENCE_ON = process.argv.includes("--reference");
/** `--no-takeover` (with `--schedulers N`): skip the take-over measurement; `takeoverMs` is null. */
const TAKEOVER_ON = !process.argv.includes("--no-takeover");

function runsArg(argv: string[]): number {
  const i = argv.indexOf("--runs");
  if (i < 0) return 3;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new Error("--runs takes a whole number from 1 to 50");
  return n;
}
/** `--remote-workers N`: attempts run on N `baton worker` processes (`--concurrency C` each) instead of the local pool. */
const REMOTE_WORKERS = intArg(process.argv, "--remote-workers", 0, 0, 8);
const REMOTE_CONCURRENCY = intArg(process.argv, "--concurrency", availableParallelism(), 1, 64);

function intArg(argv: string[], flag: string, fallback: number, min: number, max: number): number {
  const i = argv.indexOf(flag);
  if (i < 0) return fallback;
  const n = Number(argv[i + 1]);
  if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${flag} takes a whole number from ${min} to ${max}`);
  return n;
}
/** The grid-page measurement: a seeded store of runs × tasks, median over pages. */
const GRID = { runs: 10_000, tasks: 200, samples: 20 };

/** `--pg` alone means the local server; `--pg <url>` names one. */
function pgServer(argv: string[]): string | null {
  const i = argv.indexOf("--pg");
  if (i < 0) return null;
  const next = argv[i + 1];
  return next !== undefined && /^postgres(ql)?:\/\//i.test(next) ? next : DEFAULT_PG_URL;
}

async function main() {
  const json = process.argv.includes("--json");
  if (process.argv.includes("--ui")) return uiLoad(json);
  const pgUrl = pgServer(process.argv);
  const schedulersArg = process.argv.indexOf("--schedulers");
  const schedulers = schedulersArg >= 0 ? Number(process.argv[schedulersArg + 1]) : 1;
  if (!Number.isInteger(schedulers) || schedulers < 1 || schedulers > 8) throw new Error("--schedulers takes a whole number from 1 to 8");
  if (schedulers > 1 && !pgUrl) throw new Error("--schedulers N > 1 needs --pg: SQLite runs one scheduler per database file");
  if (schedulers > 1 && REMOTE_WORKERS > 0) throw new Error("--remote-workers runs with one scheduler: drop --schedulers");
  if (schedulers > 1) return severalSchedulers(pgUrl!, schedulers, json);
  const root = mkdtempSync(join(tmpdir(), "baton-bench-"));
  const dagsDir = join(root, "dags");
  mkdirSync(dagsDir);
  writeFileSync(join(dagsDir, "warmup.ts"), warmupDag());
  writeFileSync(join(dagsDir, "chain.ts"), chainDag(WORKLOADS.chain.tasks));
  writeFileSync(join(dagsDir, "fanout.ts"), fanoutDag(WORKLOADS.fanout.tasks));
  writeFileSync(join(dagsDir, "layered.ts"), layeredDag(WORKLOADS.layered.layers, WORKLOADS.layered.width));
  writeFileSync(join(dagsDir, "mapped.ts"), mappedDag(WORKLOADS.mapped.copies));
  const config = loadConfig({ home: root, dags: dagsDir });
  const scratch = pgUrl ? await createScratchDatabase(pgUrl) : null;
  const store: FullStore = scratch ? await openPostgresStore(scratch.url) : await openSqliteStore(join(root, "baton.db"));
  const sync = new DagSync(store, { dagsDir, bundleDir: config.bundleDir });
  await sync.syncOnce();
  const remote: RemoteWorkersSetup | null =
    REMOTE_WORKERS > 0
      ? await startRemoteWorkers(store, { workers: REMOTE_WORKERS, concurrency: REMOTE_CONCURRENCY, root, bundleDir: config.bundleDir })
      : null;
  const executor = new TimedExecutor(remote?.executor ?? new LocalProcessExecutor({ processes: config.workers, prefetch: config.prefetch }));
  const scheduler = new Scheduler({
    store,
    executor,
    clock: systemClock,
    logger: silentLogger,
    options: { logsDir: config.logsDir, maxOutputBytes: config.maxOutputBytes, pollMs: config.pollMs, createScheduledRuns: false },
  });
  await scheduler.start();

  async function runOnce(dagId: string): Promise<number> {
    const dag = (await store.getDag(dagId))!;
    const version = (await store.getDagVersion(dag.latestVersion))!;
    const now = Date.now();
    const { run, tis } = buildManualRun({ version, now, runId: `bench_${now}_${Math.random().toString(36).slice(2)}` });
    executor.reset();
    const t0 = performance.now();
    const created = (await store.createRun(run, tis))!;
    scheduler.wake();
    const done = await scheduler.waitForRun(created.id);
    const ms = performance.now() - t0;
    if (done.state !== "success") throw new Error(`${dagId} run ended ${done.state}: ${done.note}`);
    return ms;
  }

  /** One warm-up run (workers import the DAG's bundle, JIT warms), then the median of `RUNS`. */
  async function measure(dagId: string, onRun?: () => void): Promise<number> {
    await runOnce(dagId);
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      times.push(await runOnce(dagId));
      onRun?.();
    }
    return median(times);
  }

  const gaps: number[] = [];
  const chainMs = await measure(WORKLOADS.chain.dagId, () => {
    for (let i = 1; i < WORKLOADS.chain.tasks; i++) {
      const fin = executor.finishedAt.get(`t${i - 1}`);
      const start = executor.startedAt.get(`t${i}`);
      if (fin !== undefined && start !== undefined) gaps.push(start - fin);
    }
  });
  const fanoutMs = await measure(WORKLOADS.fanout.dagId);
  const layeredMs = await measure(WORKLOADS.layered.dagId);
  const mappedMs = await measure(WORKLOADS.mapped.dagId);
  await scheduler.stop(5_000);
  await remote?.close();
  await store.close();
  await scratch?.drop();
  const reference = REFERENCE_ON ? await referenceBeside(root, { chainMs, fanoutMs, layeredMs }) : null;

  // (e) the API at scale: one grid page of a DAG with 10,000 runs × 200 tasks (2 M task instances).
  const grid = await gridPage(root);
  rmSync(root, { recursive: true, force: true });

  const result = {
    chainHopMs: round(chainMs / WORKLOADS.chain.tasks),
    chainGapMedianMs: round(median(gaps)),
    chainTotalMs: round(chainMs, 1),
    fanoutTasksPerSec: Math.round(WORKLOADS.fanout.tasks / (fanoutMs / 1000)),
    fanoutTotalMs: round(fanoutMs, 1),
    layeredTotalMs: round(layeredMs, 1),
    layeredTasksPerSec: Math.round((WORKLOADS.layered.layers * WORKLOADS.layered.width) / (layeredMs / 1000)),
    mappedCopiesPerSec: Math.round(WORKLOADS.mapped.copies / (mappedMs / 1000)),
    mappedTotalMs: round(mappedMs, 1),
    apiGridPageMs: grid ? round(grid.medianMs) : null,
    apiGridSeedMs: grid ? Math.round(grid.seedMs) : null,
    ...(reference ? { reference } : {}),
    config: {
      store: pgUrl ? "postgresql (scratch database; grid page still on sqlite)" : "sqlite (WAL, every commit synced)",
      executor: remote
        ? `${remote.workers} remote baton worker process(es) × concurrency ${remote.concurrency} (WebSocket to an in-process worker hub; remote-attempts mailbox in the store)`
        : "local process pool",
      workers: config.workers,
      prefetch: config.prefetch,
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? "unknown",
      node: process.version,
      method: `median of ${RUNS} runs after one warm-up run, one process, no-op function tasks`,
    },
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } else {
    const c = result.config;
    process.stdout.write(
      `Baton scheduling benchmark — ${c.store}, ${c.executor}: ${c.workers} workers × prefetch ${c.prefetch}, ${c.cpus} CPUs (${c.cpuModel}), Node ${c.node}\n` +
        `${c.method}\n` +
        `(a) chain of ${WORKLOADS.chain.tasks}:      ${result.chainHopMs} ms/hop (total ${result.chainTotalMs} ms), median finish→start gap ${result.chainGapMedianMs} ms\n` +
        `(b) ${WORKLOADS.fanout.tasks} independent: ${result.fanoutTasksPerSec} tasks/s (total ${result.fanoutTotalMs} ms)\n` +
        `(c) ${WORKLOADS.layered.layers}×${WORKLOADS.layered.width} layered:    ${result.layeredTotalMs} ms (${result.layeredTasksPerSec} tasks/s)\n` +
        `(d) ${WORKLOADS.mapped.copies} mapped copies: ${result.mappedCopiesPerSec} copies/s (total ${result.mappedTotalMs} ms, list → copies → sum)\n` +
        `(e) API grid page (25 runs × ${GRID.tasks} tasks of ${GRID.runs.toLocaleString("en")} runs): ${result.apiGridPageMs} ms median server time over ${GRID.samples} pages (seeding took ${result.apiGridSeedMs === null ? "—" : (result.apiGridSeedMs / 1000).toFixed(1)} s)\n` +
        (reference
          ? `reference (${reference.method}): chain ${reference.chainHopMs} ms/hop, fan-out ${reference.fanoutTasksPerSec} tasks/s, layered ${reference.layeredTotalMs} ms; ` +
            `Baton/reference: chain ${reference.ratio.chain}×, fan-out ${reference.ratio.fanout}×, layered ${reference.ratio.layered}× (above 1: Baton slower)\n`
          : ""),
    );
  }
}

/**
 * `--reference`: the SQLite reference measured right after Baton, in this process, with the
 * same runs; `ratio` is Baton's time over the reference's per workload (above 1: Baton slower).
 */
async function referenceBeside(
  root: string,
  baton: { chainMs: number; fanoutMs: number; layeredMs: number },
): Promise<ReferenceFigures & { ratio: { chain: number; fanout: number; layered: number } }> {
  const w = WORKLOADS;
  const ref = await measureReference(root, RUNS, { chain: w.chain.tasks, fanout: w.fanout.tasks, layers: w.layered.layers, width: w.layered.width });
  const refFanoutMs = (w.fanout.tasks / ref.fanoutTasksPerSec) * 1000;
  return {
    ...ref,
    ratio: {
      chain: round(baton.chainMs / w.chain.tasks / ref.chainHopMs, 2),
      fanout: round(baton.fanoutMs / refFanoutMs, 2),
      layered: round(baton.layeredMs / ref.layeredTotalMs, 2),
    },
  };
}

/** `--pg --schedulers N`: the same keys, measured with N active schedulers, plus the take-over time. */
async function severalSchedulers(pgUrl: string, n: number, json: boolean): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "baton-bench-"));
  const dagsDir = join(root, "dags");
  mkdirSync(dagsDir);
  writeSeveralDags(dagsDir, n);
  const config = loadConfig({ home: root, dags: dagsDir });
  const scratch = await createScratchDatabase(pgUrl);
  let takeover: { takeoverMs: number | null; leaseMs: number | null } = { takeoverMs: null, leaseMs: null };
  let m: Awaited<ReturnType<typeof measureSeveral>>;
  try {
    const store = await openPostgresStore(scratch.url);
    await new DagSync(store, { dagsDir, bundleDir: config.bundleDir }).syncOnce();
    await store.close();
    m = await measureSeveral(scratch.url, n, config, RUNS);
  } finally {
    await scratch.drop();
  }
  if (TAKEOVER_ON) {
    const second = await createScratchDatabase(pgUrl);
    try {
      takeover = await measureTakeover(second.url, root);
    } finally {
      await second.drop();
    }
  }
  const grid = await gridPage(root);
  rmSync(root, { recursive: true, force: true });
  const { owners, ...figures } = m;
  const result = {
    ...figures,
    chainGapMedianMs: null,
    apiGridPageMs: grid ? round(grid.medianMs) : null,
    apiGridSeedMs: grid ? Math.round(grid.seedMs) : null,
    takeoverMs: takeover.takeoverMs,
    config: {
      store: "postgresql (scratch database; grid page still on sqlite)",
      schedulers: n,
      executor: "local process pool per scheduler",
      workers: config.workers,
      prefetch: config.prefetch,
      cpus: availableParallelism(),
      cpuModel: cpus()[0]?.model ?? "unknown",
      node: process.version,
      leaseMs: takeover.leaseMs,
      owners,
      method: `${n} schedulers in one process, each with its own connections and worker pool; each workload DAG exists once per scheduler and every round runs one copy per scheduler at once (chain: mean per run; others: whole round); median of ${RUNS} rounds after a warm-up; take-over: two \`baton scheduler\` processes, the owner of a running task killed -9, until the survivor runs it again`,
    },
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const c = result.config;
  process.stdout.write(
    `Baton scheduling benchmark — ${c.store}, ${n} active schedulers, ${c.workers} workers each × prefetch ${c.prefetch}, ${c.cpus} CPUs (${c.cpuModel}), Node ${c.node}\n` +
      `${c.method}\n` +
      `(a) ${n} chains of ${WORKLOADS.chain.tasks}:      ${result.chainHopMs} ms/hop (each ${result.chainTotalMs} ms)\n` +
      `(b) ${n} × ${WORKLOADS.fanout.tasks} independent: ${result.fanoutTasksPerSec} tasks/s (round ${result.fanoutTotalMs} ms)\n` +
      `(c) ${n} × ${WORKLOADS.layered.layers}×${WORKLOADS.layered.width} layered:    ${result.layeredTotalMs} ms (${result.layeredTasksPerSec} tasks/s)\n` +
      `(d) ${n} × ${WORKLOADS.mapped.copies} mapped copies: ${result.mappedCopiesPerSec} copies/s (round ${result.mappedTotalMs} ms)\n` +
      `(e) API grid page: ${result.apiGridPageMs} ms median server time\n` +
      `take-over after kill -9: ${result.takeoverMs} ms (lease ${c.leaseMs} ms)\n` +
      `DAGs per scheduler: ${Object.entries(owners)
        .map(([id, d]) => `${id}: ${d.join(", ")}`)
        .join("; ")}\n`,
  );
}

/** `--ui`: the UI's first loads over a seeded store (bench/ui-load.ts); `--dags`, `--runs-per-dag`, `--tasks` change its shape. */
async function uiLoad(json: boolean): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), "baton-ui-bench-"));
  const shape = {
    dags: intArg(process.argv, "--dags", UI_LOAD_SHAPE.dags, 1, 1000),
    runsPerDag: intArg(process.argv, "--runs-per-dag", UI_LOAD_SHAPE.runsPerDag, 1, 10_000),
    tasks: intArg(process.argv, "--tasks", UI_LOAD_SHAPE.tasks, 1, 100),
  };
  try {
    const bin = fileURLToPath(new URL("../../bin/baton.js", import.meta.url));
    const result = await measureUiLoad(root, shape, intArg(process.argv, "--samples", 5, 1, 50), bin);
    const config = { cpus: availableParallelism(), cpuModel: cpus()[0]?.model ?? "unknown", node: process.version };
    process.stdout.write(json ? `${JSON.stringify({ ...result, config })}\n` : formatUiLoad(result));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** (e): the grid page over a seeded SQLite store, unless `--no-grid`. */
async function gridPage(root: string): Promise<{ medianMs: number; seedMs: number } | null> {
  if (!GRID_ON) return null;
  const gridStore = await openSqliteStore(join(root, "grid.db"));
  try {
    return await measureGridPageMs({ runs: GRID.runs, tasks: GRID.tasks, samples: GRID.samples, dir: root, store: gridStore });
  } finally {
    await gridStore.close();
  }
}

await main();
