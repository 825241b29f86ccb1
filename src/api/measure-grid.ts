import type { DagSpec } from "../core/model/dag-spec.js";
import { makeDag, makeTask } from "../core/testing/spec-builders.js";
import type { TaskInstanceRecord } from "../core/model/records.js";
import { TASK_STATES } from "../core/model/states.js";
import type { AuditLog } from "../core/ports/audit-log.js";
import type { AuthStore } from "../core/ports/auth-store.js";
import type { DatasetStore } from "../core/ports/dataset-store.js";
import type { CommandInbox } from "../core/ports/command-inbox.js";
import type { Store } from "../core/ports/store.js";
import { BatonError } from "../core/errors.js";
import { buildApiServer } from "./server.js";

const DAG_ID = "grid_bench";
const T0 = Date.UTC(2024, 0, 1);
const HOUR = 3_600_000;
const SEED_BATCH = 100;

/**
 * Server-side time of one grid page (`GET /api/v1/dags/:id/grid`, default 25 runs) over a DAG
 * with `runs` runs × `tasks` task instances: seeds the given fresh store, then walks `samples`
 * pages by cursor via app.inject and returns the median. The caller (bench) opens the store in
 * `dir` and closes it.
 */
export async function measureGridPageMs(opts: {
  runs: number;
  tasks: number;
  samples?: number;
  dir: string;
  store: Store & CommandInbox & AuthStore & DatasetStore & AuditLog;
}): Promise<{ medianMs: number; seedMs: number }> {
  const { store } = opts;
  const samples = opts.samples ?? 20;
  const seedStart = performance.now();
  await seed(store, opts.runs, opts.tasks);
  const seedMs = performance.now() - seedStart;

  const app = await buildApiServer({
    store,
    inbox: store,
    auth: store,
    audit: store,
    datasets: store,
    changes: { subscribe: () => () => {} },
    mode: "local",
    logsDir: opts.dir,
    triggerRun: () => Promise.reject(new BatonError("not in the benchmark")),
    createBackfill: () => Promise.reject(new BatonError("not in the benchmark")),
  });
  try {
    const page = async (cursor: string | null): Promise<{ ms: number; next: string | null }> => {
      const url = `/api/v1/dags/${DAG_ID}/grid${cursor ? `?cursor=${cursor}` : ""}`;
      const start = performance.now();
      const res = await app.inject({ method: "GET", url });
      const ms = performance.now() - start;
      if (res.statusCode !== 200) throw new BatonError(`grid page answered ${res.statusCode}: ${res.body}`);
      return { ms, next: (res.json() as { nextCursor: string | null }).nextCursor };
    };
    for (let i = 0; i < 3; i++) await page(null); // warm up: JIT, statement cache
    const times: number[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < samples; i++) {
      const r = await page(cursor);
      times.push(r.ms);
      cursor = r.next;
    }
    return { medianMs: median(times), seedMs };
  } finally {
    await app.close();
  }
}

async function seed(store: Store, runs: number, tasks: number): Promise<void> {
  const spec = benchSpec(tasks);
  await store.saveDagVersion({ versionHash: "grid-bench-v1", dagId: DAG_ID, spec, source: "// bench\n", bundlePath: "/dev/null", createdAt: T0 });
  const states = TASK_STATES.filter((s) => s !== "none");
  for (let start = 0; start < runs; start += SEED_BATCH) {
    const batch = [];
    for (let i = start; i < Math.min(runs, start + SEED_BATCH); i++) {
      const at = T0 + i * HOUR;
      const tis: TaskInstanceRecord[] = spec.tasks.map((t, j) => ({
        runPk: 0,
        taskId: t.taskId,
        mapIndex: -1,
        state: states[(i + j) % states.length] ?? "success",
        tryNumber: 1,
        maxTries: 1,
        priority: 1,
        pool: "default_pool",
        poolSlots: 1,
        queuedAt: at,
        startedAt: at,
        endedAt: at + 1000,
        nextRetryAt: null,
        output: null,
        error: null,
        followed: null,
        updatedAt: at,
      }));
      const run = {
        dagId: DAG_ID,
        runId: `scheduled__${i}`,
        runType: "scheduled" as const,
        state: "success" as const,
        logicalDate: at,
        dataIntervalStart: at,
        dataIntervalEnd: at + HOUR,
        runAfter: at + HOUR,
        conf: {},
        dagVersion: "grid-bench-v1",
        backfillId: null,
        createdAt: at,
      };
      batch.push(store.createRun(run, tis));
    }
    await Promise.all(batch);
  }
}

function benchSpec(tasks: number): DagSpec {
  const id = (i: number) => `task_${String(i).padStart(4, "0")}`;
  return makeDag(
    Array.from({ length: tasks }, (_, i) => makeTask(id(i), { upstream: i === 0 ? [] : [id(i - 1)], retryDelayMs: 0 })),
    { dagId: DAG_ID, fileloc: "/bench/grid_bench.ts", schedule: { kind: "cron", expression: "0 * * * *", mode: "interval" }, startDate: T0, maxActiveRuns: 1 },
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}
