/**
 * `node dist/bench/db-clean.js [--tis N] [--tasks T] [--pg [url]]`: seeds a store with N task
 * instances (runs of T tasks, one attempt each; 90 % of the runs finished 100 days ago, the rest
 * recent or still running), then runs the real `baton db clean --older-than 90d --json` in a child
 * process while this process commits one task-instance patch every 20 ms, as a scheduler would,
 * and prints the clean's time and those commits' latencies (before and during the clean).
 * Build first (`npx tsc -p tsconfig.build.json`).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import type { AttemptRecord, TaskInstanceRecord } from "../src/core/model/records.js";
import { openStore, type FullStore } from "../src/store/index.js";
import { createScratchDatabase, DEFAULT_PG_URL } from "./scratch-database.js";

const DAY = 86_400_000;
const BIN = fileURLToPath(new URL("../../bin/baton.js", import.meta.url));
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : (process.argv[i + 1] ?? "");
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))] ?? NaN;

function ti(runPk: number, i: number, at: number, state: TaskInstanceRecord["state"]): TaskInstanceRecord {
  return {
    runPk,
    taskId: `t${String(i).padStart(4, "0")}`,
    mapIndex: -1,
    state,
    tryNumber: 1,
    maxTries: 1,
    priority: 1,
    pool: "default_pool",
    poolSlots: 1,
    queuedAt: at,
    startedAt: at,
    endedAt: at + 1000,
    nextRetryAt: null,
    output: '{"rows":1}',
    error: null,
    followed: null,
    updatedAt: at,
  };
}

async function seed(store: FullStore, totalTis: number, tasks: number): Promise<{ livePk: number }> {
  const runs = Math.ceil(totalTis / tasks);
  const now = Date.now();
  let livePk = 0;
  for (let start = 0; start < runs; start += 50) {
    const attempts: AttemptRecord[] = [];
    const patches = [];
    for (let r = start; r < Math.min(runs, start + 50); r++) {
      const old = r % 10 !== 9;
      const at = old ? now - 100 * DAY + r * 1000 : now - DAY;
      const running = !old && r % 20 === 19;
      const run = await store.createRun(
        {
          dagId: `dag_${r % 20}`,
          runId: `scheduled__${r}`,
          runType: "scheduled",
          state: "queued",
          logicalDate: at,
          dataIntervalStart: at,
          dataIntervalEnd: at,
          runAfter: at,
          conf: {},
          dagVersion: "v1",
          backfillId: null,
          createdAt: at,
        },
        Array.from({ length: tasks }, (_, i) => ti(0, i, at, running && i === 0 ? "running" : "success")),
      );
      if (!run) continue;
      if (running) livePk = run.id;
      patches.push({ id: run.id, state: running ? ("running" as const) : ("success" as const), startedAt: at, endedAt: running ? null : at + 60_000 });
      for (let i = 0; i < tasks; i++)
        attempts.push({
          runPk: run.id,
          taskId: `t${String(i).padStart(4, "0")}`,
          mapIndex: -1,
          tryNumber: 1,
          state: "success",
          startedAt: at,
          endedAt: at + 1000,
          error: null,
          logPath: null,
          pid: 1,
          worker: null,
        });
    }
    await store.commit({ runs: patches, attempts });
  }
  return { livePk };
}

async function main(): Promise<void> {
  const totalTis = Number(arg("--tis") ?? 100_000);
  const tasks = Number(arg("--tasks") ?? 100);
  const pgArg = arg("--pg");
  const dir = mkdtempSync(join(tmpdir(), "baton-bench-clean-"));
  const scratch = pgArg !== undefined ? await createScratchDatabase(pgArg || DEFAULT_PG_URL) : undefined;
  const url = scratch?.url ?? join(dir, "baton.db");
  const store = await openStore(url);
  try {
    let t = performance.now();
    const { livePk } = await seed(store, totalTis, tasks);
    console.log(
      `seeded ${totalTis.toLocaleString("en-US")} task instances (${Math.ceil(totalTis / tasks)} runs × ${tasks}, one attempt each) on ${scratch ? "PostgreSQL" : "SQLite"} in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    const commitOnce = async (n: number) => {
      const s = performance.now();
      await store.commit({ taskInstances: [{ ...ti(livePk, 0, Date.now(), "running"), updatedAt: n }] });
      return performance.now() - s;
    };
    const before: number[] = [];
    for (let i = 0; i < 100; i++) {
      before.push(await commitOnce(i));
      await sleep(20);
    }

    t = performance.now();
    const child = spawn(process.execPath, [BIN, "db", "clean", "--older-than", "90d", "--json"], {
      env: { ...process.env, BATON_HOME: dir, BATON_DATABASE_URL: url },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on("exit", r));
    let done = false;
    void exited.then(() => (done = true));
    const during: number[] = [];
    for (let i = 0; !done; i++) {
      during.push(await commitOnce(1000 + i));
      await sleep(20);
    }
    const code = await exited;
    const wall = performance.now() - t;
    console.log(`baton db clean exit ${code} in ${(wall / 1000).toFixed(1)} s wall (process start included): ${out.trim()}`);
    const fmt = (xs: number[]) => `n=${xs.length} p50 ${pct(xs, 50).toFixed(1)} ms, p99 ${pct(xs, 99).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms`;
    console.log(`1-row commits every 20 ms, before the clean: ${fmt(before)}`);
    console.log(`1-row commits every 20 ms, during the clean: ${fmt(during)}`);
    const left = await store.retention.countFinishedRuns({ endedBefore: Date.now() });
    console.log(
      `left: ${(await store.listRuns({ limit: 1_000_000 })).length} runs (${left.runs} finished, recent), the running run still has ${(await store.listTaskInstances(livePk)).length} task instances`,
    );
  } finally {
    await store.close();
    await scratch?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
