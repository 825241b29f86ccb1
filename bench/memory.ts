/**
 * `node --expose-gc dist/bench/memory.js [--runs N] [--tasks T] [--idle-ms MS]`: the main process's memory over
 * many runs (issue 13: it grew 138 → 225 MB over 40 runs of 2,000 tasks). Builds what `baton
 * standalone` runs in its main process (the scheduler parts on SQLite, with the local pool), runs
 * N manual runs of a T-task fan-out DAG one after the other, and prints the heap used and the RSS
 * after a full GC every few runs, and once more after `--idle-ms` without runs (what runs leave
 * to do in the background, such as anomaly checks, is done by then).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeHeapSnapshot } from "node:v8";
import { openRuntime } from "../src/cli/runtime.js";
import { startSchedulerParts } from "../src/cli/scheduler-parts.js";
import { buildManualRun } from "../src/scheduler/run-factory.js";
import { fanoutDag } from "./workloads.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg("--runs", 40);
const TASKS = arg("--tasks", 2_000);
const IDLE_MS = arg("--idle-ms", 15_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error("run with node --expose-gc");

const dir = mkdtempSync(join(tmpdir(), "baton-memory-"));
const dags = join(dir, "dags");
mkdirSync(dags);
writeFileSync(join(dags, "fanout.ts"), fanoutDag(TASKS, "mem_fanout"));
process.env.BATON_LOG_LEVEL = "warn";
const rt = await openRuntime({ home: join(dir, "home"), dags });
const parts = await startSchedulerParts(rt, "standalone");
const { scheduler } = parts;
const store = rt.store;

const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;
function sample(label: string): { heapMb: number; rssMb: number } {
  for (let i = 0; i < 3; i++) gc!();
  const m = process.memoryUsage();
  const s = { heapMb: mb(m.heapUsed), rssMb: mb(m.rss) };
  console.log(`${label.padEnd(10)} heap ${String(s.heapMb).padStart(6)} MB  rss ${String(s.rssMb).padStart(6)} MB`);
  return s;
}

async function runOnce(i: number): Promise<void> {
  const dag = (await store.getDag("mem_fanout"))!;
  const version = (await store.getDagVersion(dag.latestVersion))!;
  const now = Date.now();
  const { run, tis } = buildManualRun({ version, now, runId: `mem_${i}_${now}` });
  const created = (await store.createRun(run, tis))!;
  scheduler.wake();
  const done = await scheduler.waitForRun(created.id);
  if (done.state !== "success") throw new Error(`run ${i} ended ${done.state}`);
}

try {
  await runOnce(0); // warm-up: workers import the bundle, JIT warms
  const first = sample("after 1");
  // BENCH_HEAP_SNAPSHOTS=<dir>: heap snapshots after the first run and the last, to compare.
  const snapshots = process.env.BENCH_HEAP_SNAPSHOTS;
  if (snapshots) writeHeapSnapshot(join(snapshots, "first.heapsnapshot"));
  let last = first;
  for (let i = 1; i <= RUNS; i++) {
    await runOnce(i);
    if (i % 5 === 0 || i === RUNS) last = sample(`after ${i + 1}`);
  }
  // What runs leave behind in the background (anomaly checks, callbacks) finishes meanwhile.
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const idle = sample(`idle ${IDLE_MS / 1000}s`);
  if (snapshots) writeHeapSnapshot(join(snapshots, "last.heapsnapshot"));
  console.log(JSON.stringify({ runs: RUNS + 1, tasks: TASKS, heapGrowthMb: Math.round((last.heapMb - first.heapMb) * 10) / 10, rssGrowthMb: Math.round((last.rssMb - first.rssMb) * 10) / 10, heapGrowthIdleMb: Math.round((idle.heapMb - first.heapMb) * 10) / 10 }));
} finally {
  await parts.stop(5_000);
  await rt.close();
  rmSync(dir, { recursive: true, force: true });
}
