/**
 * `npm run build && node dist/bench/memory.js [--runs N] [--tasks T] [--stalled-client]`: the
 * memory of a real `baton standalone` main process over many runs (issue 13: it grew 138 → 225 MB
 * over 40 runs of 2,000 tasks). Starts the standalone on a temporary SQLite home with a T-task
 * fan-out DAG, runs N manual runs one after the other through the API, and every 5 runs prints
 * the heap used and the RSS after a full GC in that process (bench/heap-probe.mjs, loaded with
 * `node --expose-gc --import`). `--stalled-client` keeps an event stream (`GET /api/v1/events`)
 * open that never reads, as a sleeping laptop's tab would.
 */
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { fanoutDag } from "./workloads.js";

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const RUNS = arg("--runs", 40);
const TASKS = arg("--tasks", 2_000);
const STALLED = process.argv.includes("--stalled-client");
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const BIN = process.env.BATON_BIN ?? join(ROOT, "bin", "baton.js");
const PROBE = join(ROOT, "bench", "heap-probe.mjs");
const PORT = arg("--port", 18_700);

const dir = mkdtempSync(join(tmpdir(), "baton-memory-"));
const dags = join(dir, "dags");
mkdirSync(dags);
writeFileSync(join(dags, "fanout.ts"), fanoutDag(TASKS, "mem_fanout"));
const probeFile = join(dir, "probe.json");
const child = spawn(process.execPath, [BIN, "standalone"], {
  env: {
    ...process.env,
    BATON_HOME: join(dir, "home"),
    BATON_DAGS: dags,
    BATON_API_PORT: String(PORT),
    BATON_LOG_LEVEL: "error",
    BATON_HEAP_PROBE_FILE: probeFile,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --expose-gc --import ${PROBE}`.trim(),
  },
  stdio: ["ignore", "pipe", "inherit"],
});
let out = "";
child.stdout.on("data", (c: Buffer) => (out += c.toString()));
const api = `http://127.0.0.1:${PORT}/api/v1`;

async function probe(label: string): Promise<{ heapMb: number; rssMb: number }> {
  const asked = Date.now();
  child.kill("SIGUSR2");
  for (;;) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      const p = JSON.parse(readFileSync(probeFile, "utf8")) as { heapMb: number; rssMb: number; at: number };
      if (p.at >= asked) {
        console.log(`${label.padEnd(12)} heap ${String(p.heapMb).padStart(6)} MB  rss ${String(p.rssMb).padStart(6)} MB`);
        return p;
      }
    } catch {
      // not written yet
    }
  }
}

async function runOnce(): Promise<void> {
  const res = await fetch(`${api}/dags/mem_fanout/runs`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  const { runId } = (await res.json()) as { runId: string };
  for (;;) {
    const run = (await (await fetch(`${api}/dags/mem_fanout/runs/${encodeURIComponent(runId)}`)).json()) as { state: string };
    if (run.state === "success") return;
    if (run.state === "failed") throw new Error(`run ${runId} failed`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

try {
  while (!out.includes("Baton standalone is running")) {
    if (child.exitCode !== null) throw new Error(`standalone exited:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  if (STALLED) {
    const socket = connect(PORT, "127.0.0.1");
    socket.on("error", () => {});
    await new Promise((r) => socket.once("connect", r));
    socket.write(`GET /api/v1/events HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n`);
    socket.pause();
  }
  await runOnce(); // warm-up: workers import the bundle, JIT warms
  const first = await probe("after 1");
  let last = first;
  for (let i = 1; i <= RUNS; i++) {
    await runOnce();
    if (i % 5 === 0 || i === RUNS) last = await probe(`after ${i + 1}`);
  }
  console.log(
    JSON.stringify({
      runs: RUNS + 1,
      tasks: TASKS,
      stalledClient: STALLED,
      heapGrowthMb: Math.round((last.heapMb - first.heapMb) * 10) / 10,
      rssGrowthMb: Math.round((last.rssMb - first.rssMb) * 10) / 10,
    }),
  );
} finally {
  child.kill("SIGTERM");
  if (child.exitCode === null) await new Promise((r) => child.once("exit", r));
  rmSync(dir, { recursive: true, force: true });
}
