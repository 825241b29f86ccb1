/**
 * `npm run bench -- --pg [url] --schedulers N` (N ≥ 2): the same workloads on one PostgreSQL
 * scratch database with N active schedulers (docs/adr/0007), each with its own warm worker pool
 * and its own database connections, in this process. Every workload DAG exists once per
 * scheduler (`s<k>_bench_…`); the schedulers share them out by lease, and each measured round
 * runs one copy of the workload per scheduler at once. Then the take-over time: two `baton
 * scheduler` processes with the default lease, the owner of a running task killed -9, timed until
 * the survivor runs that task again (its retry delay set to 0: an interrupted running attempt is
 * retried after the task's retry delay, which the take-over time leaves out).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import pg from "pg";
import type { BatonConfig as Config } from "../src/config/config.js";
import { systemClock } from "../src/core/ports/clock.js";
import { silentLogger } from "../src/core/ports/logger.js";
import { LocalProcessExecutor } from "../src/executor/local-process-executor.js";
import { buildManualRun } from "../src/scheduler/run-factory.js";
import { Scheduler } from "../src/scheduler/scheduler.js";
import { openPostgresStore } from "../src/store/postgres/open-postgres-store.js";
import type { FullStore } from "../src/store/index.js";
import { WORKLOADS, chainDag, fanoutDag, layeredDag, mappedDag, warmupDag } from "./workloads.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

type Kind = "chain" | "fanout" | "layered" | "mapped" | "warmup";
const KINDS: Kind[] = ["chain", "fanout", "layered", "mapped", "warmup"];
export const copyId = (k: number, kind: Kind) => `s${k}_bench_${kind}`;

/** Writes one copy of every workload DAG per scheduler into `dagsDir`. */
export function writeSeveralDags(dagsDir: string, n: number): void {
  for (let k = 0; k < n; k++) {
    writeFileSync(join(dagsDir, `${copyId(k, "chain")}.ts`), chainDag(WORKLOADS.chain.tasks, copyId(k, "chain")));
    writeFileSync(join(dagsDir, `${copyId(k, "fanout")}.ts`), fanoutDag(WORKLOADS.fanout.tasks, copyId(k, "fanout")));
    writeFileSync(join(dagsDir, `${copyId(k, "layered")}.ts`), layeredDag(WORKLOADS.layered.layers, WORKLOADS.layered.width, copyId(k, "layered")));
    writeFileSync(join(dagsDir, `${copyId(k, "mapped")}.ts`), mappedDag(WORKLOADS.mapped.copies, copyId(k, "mapped")));
    writeFileSync(join(dagsDir, `${copyId(k, "warmup")}.ts`), warmupDag().replace('id: "bench_warmup"', `id: "${copyId(k, "warmup")}"`));
  }
}

export interface SeveralResult {
  chainHopMs: number;
  chainTotalMs: number;
  fanoutTasksPerSec: number;
  fanoutTotalMs: number;
  layeredTotalMs: number;
  layeredTasksPerSec: number;
  mappedCopiesPerSec: number;
  mappedTotalMs: number;
  /** How the workload DAGs were shared out: scheduler → DAGs it owned while measuring. */
  owners: Record<string, string[]>;
}

/** Runs the workloads with `n` schedulers on the scratch database `url` (DAGs already synced). */
export async function measureSeveral(url: string, n: number, config: Config, runs: number): Promise<SeveralResult> {
  const stores: FullStore[] = [];
  const schedulers: Scheduler[] = [];
  const ids: string[] = [];
  for (let k = 0; k < n; k++) {
    const store = await openPostgresStore(url);
    stores.push(store);
    ids.push(`bench-s${k}`);
    schedulers.push(
      new Scheduler({
        store,
        executor: new LocalProcessExecutor({ processes: config.workers, prefetch: config.prefetch }),
        clock: systemClock,
        logger: silentLogger,
        leases: store,
        options: { logsDir: config.logsDir, maxOutputBytes: config.maxOutputBytes, pollMs: 200, createScheduledRuns: false, schedulerId: ids[k]! },
      }),
    );
  }
  try {
    for (const s of schedulers) await s.start();
    const owners = await settledOwnership(stores[0]!, ids, n * KINDS.length);
    const ownerOf = (dagId: string) => schedulers[ids.findIndex((id) => owners[id]!.includes(dagId))]!;

    /** One round: a run of every copy of `kind` at once; per-run and whole-round ms. */
    async function round(kind: Kind): Promise<{ perRun: number[]; wall: number }> {
      const store = stores[0]!;
      const t0 = performance.now();
      const done = await Promise.all(
        Array.from({ length: n }, async (_, k) => {
          const dagId = copyId(k, kind);
          const dag = (await store.getDag(dagId))!;
          const version = (await store.getDagVersion(dag.latestVersion))!;
          const now = Date.now();
          const { run, tis } = buildManualRun({ version, now, runId: `bench_${now}_${Math.random().toString(36).slice(2)}` });
          const started = performance.now();
          const created = (await store.createRun(run, tis))!;
          const owner = ownerOf(dagId);
          owner.wake();
          const finished = await owner.waitForRun(created.id);
          if (finished.state !== "success") throw new Error(`${dagId} run ended ${finished.state}: ${finished.note}`);
          return performance.now() - started;
        }),
      );
      return { perRun: done, wall: performance.now() - t0 };
    }
    async function measure(kind: Kind): Promise<{ perRunMean: number; wall: number }> {
      await round(kind);
      const rounds: { perRun: number[]; wall: number }[] = [];
      for (let i = 0; i < runs; i++) rounds.push(await round(kind));
      return {
        perRunMean: median(rounds.map((r) => r.perRun.reduce((a, b) => a + b, 0) / r.perRun.length)),
        wall: median(rounds.map((r) => r.wall)),
      };
    }
    await round("warmup");
    const chain = await measure("chain");
    const fanout = await measure("fanout");
    const layered = await measure("layered");
    const mapped = await measure("mapped");
    const r = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;
    return {
      chainHopMs: r(chain.perRunMean / WORKLOADS.chain.tasks),
      chainTotalMs: r(chain.perRunMean, 1),
      fanoutTasksPerSec: Math.round((n * WORKLOADS.fanout.tasks) / (fanout.wall / 1000)),
      fanoutTotalMs: r(fanout.wall, 1),
      layeredTotalMs: r(layered.wall, 1),
      layeredTasksPerSec: Math.round((n * WORKLOADS.layered.layers * WORKLOADS.layered.width) / (layered.wall / 1000)),
      mappedCopiesPerSec: Math.round((n * WORKLOADS.mapped.copies) / (mapped.wall / 1000)),
      mappedTotalMs: r(mapped.wall, 1),
      owners,
    };
  } finally {
    for (const s of schedulers) await s.stop(5_000);
    for (const s of stores) await s.close();
  }
}

/** Waits until every workload DAG is owned and the sharing stood still for a few seconds. */
async function settledOwnership(store: FullStore, ids: string[], dags: number): Promise<Record<string, string[]>> {
  let last = "";
  let stableSince = performance.now();
  const end = performance.now() + 60_000;
  for (;;) {
    // A scheduler's lease id is its scheduler id and a random suffix.
    const leases = (await store.listSchedulerLeases()).filter((l) => l.fencedAt === null);
    const owners: Record<string, string[]> = {};
    for (const id of ids) {
      const lease = leases.find((l) => l.id.startsWith(`${id}:`));
      owners[id] = lease ? await store.listOwnedDags(lease.id) : [];
    }
    const owned = Object.values(owners).reduce((a, l) => a + l.length, 0);
    const key = JSON.stringify(owners);
    if (key !== last) {
      last = key;
      stableSince = performance.now();
    } else if (owned === dags && ids.every((id) => owners[id]!.length > 0) && performance.now() - stableSince > 3_000) {
      return owners;
    }
    if (performance.now() > end) throw new Error(`the schedulers did not share the workload DAGs out within 60 s: ${key}`);
    await sleep(200);
  }
}

const BIN = fileURLToPath(new URL("../../bin/baton.js", import.meta.url));

/**
 * Take-over with the default lease: two `baton scheduler` processes; the one running a long task
 * is killed -9; the time until the other runs that task again (a new try, the lost one recorded
 * as interrupted). Returns ms, and the lease in force.
 */
export async function measureTakeover(url: string, root: string): Promise<{ takeoverMs: number; leaseMs: number }> {
  const dags = join(root, "takeover-dags");
  mkdirSync(dags, { recursive: true });
  writeFileSync(
    join(dags, "bench_takeover.ts"),
    `import { dag } from "baton";
export default dag({ id: "bench_takeover" }, (d) => {
  d.task("hold", { retryDelay: "0s" }, async () => { await new Promise((r) => setTimeout(r, 120_000)); });
});
`,
  );
  const procs: ChildProcess[] = [];
  const start = (name: string) => {
    const p = spawn(process.execPath, [BIN, "scheduler", "--workers", "1"], {
      env: { ...process.env, BATON_HOME: join(root, `takeover-${name}`), BATON_DAGS: dags, BATON_DATABASE_URL: url, BATON_LOG_LEVEL: "warn" },
      stdio: "ignore",
    });
    procs.push(p);
    return p;
  };
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const one = async <T>(sql: string, args: unknown[] = []) => (await client.query(sql, args)).rows[0] as T | undefined;
  const until = async (what: string, pred: () => Promise<boolean>) => {
    const end = Date.now() + 90_000;
    // Until the schedulers have migrated the new database, its tables are missing: not yet.
    while (!(await pred().catch(() => false))) {
      if (Date.now() > end) {
        const state = async (sql: string) => JSON.stringify((await client.query(sql)).rows);
        throw new Error(
          `take-over measurement: timed out waiting for ${what}; attempts ${await state("select task_id, try_number, state, error, pid from task_attempts")}; ` +
            `leases ${await state("select id, pid, fenced_at from scheduler_leases")}; dags ${await state("select dag_id, owner_id from dags")}`,
        );
      }
      await sleep(50);
    }
  };
  try {
    const a = start("a");
    const b = start("b");
    await until(
      "the DAG to be loaded and owned",
      async () => (await one<{ owner_id: string | null }>("select owner_id from dags where dag_id = 'bench_takeover'"))?.owner_id != null,
    );
    const trigger = spawn(process.execPath, [BIN, "dags", "trigger", "bench_takeover"], {
      env: { ...process.env, BATON_HOME: join(root, "takeover-a"), BATON_DATABASE_URL: url },
      stdio: "ignore",
    });
    await new Promise((r) => trigger.once("exit", r));
    const running = async () =>
      one<{ pid: number | null; try_number: number }>(
        "select a.pid, a.try_number from task_attempts a join dag_runs r on r.id = a.run_pk where r.dag_id = 'bench_takeover' and a.state = 'running' order by a.try_number desc limit 1",
      );
    await until("the task to run", async () => (await running()) !== undefined);
    const owner = (await one<{ owner_id: string }>("select owner_id from dags where dag_id = 'bench_takeover'"))!.owner_id;
    const ownerPid = (await one<{ pid: number }>("select pid from scheduler_leases where id = $1", [owner]))!.pid;
    const victim = [a, b].find((p) => p.pid === ownerPid);
    if (!victim) throw new Error(`take-over measurement: the owner (pid ${ownerPid}) is not one of the two schedulers`);
    const firstTry = (await running())!.try_number;
    victim.kill("SIGKILL");
    const killedAt = performance.now();
    await until("the survivor to run the task again", async () => ((await running())?.try_number ?? 0) > firstTry);
    const takeoverMs = Math.round(performance.now() - killedAt);
    const leaseMs = Number(process.env.BATON_SCHEDULER_LEASE_MS ?? 10_000);
    return { takeoverMs, leaseMs };
  } finally {
    await client.end();
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill("SIGKILL");
    await Promise.all(procs.map((p) => (p.exitCode === null && p.signalCode === null ? new Promise((r) => p.once("exit", r)) : undefined)));
  }
}
