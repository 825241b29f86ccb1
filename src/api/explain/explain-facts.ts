import { NotFoundError } from "../../core/errors.js";
import type { DagFacts, Holder, RunFacts, RunGroupFacts, SchedulerFacts, SlotFacts, WorkerFacts } from "../../core/explain/explain-types.js";
import type { DagRecord, DagVersionRecord, RunRecord, TaskInstanceRecord } from "../../core/model/records.js";
import type { SchedulerLeases } from "../../core/ports/scheduler-leases.js";
import type { Store } from "../../core/ports/store.js";
import { previousRunTypes } from "../../core/scheduling/previous-run.js";
import type { WorkerStore } from "../../core/ports/worker-store.js";

/** A scheduler counts as alive while its last heartbeat is younger than this (as `/health` says). */
export const SCHEDULER_ALIVE_MS = 30_000;

/** Where the explain facts are read from. */
export interface ExplainSources {
  store: Store;
  /** Scheduler leases (several schedulers); absent → heartbeats only. */
  leases?: Pick<SchedulerLeases, "listSchedulerLeases"> | undefined;
  /** Remote workers and the mailbox, so a task on a queue says who serves it (docs/workers.md); absent → not said. */
  workers?: Pick<WorkerStore, "listWorkers" | "remoteQueueDepths" | "getRemoteAttempt"> | undefined;
  now: number;
}

/** The most queued task instances whose mailbox row an explanation looks up. */
const REMOTE_LOOKUPS = 100;

/** The most queued runs listed per DAG in an explanation. */
const QUEUED_SHOWN = 100;

/**
 * The facts behind "why isn't it running?" for a DAG, read from the store (the decisions are in
 * core/explain). Throws NotFoundError for an unknown DAG.
 */
export async function gatherDagFacts(src: ExplainSources, dagId: string): Promise<DagFacts> {
  const { dag, version } = await dagWithVersion(src.store, dagId);
  const [group, schedulers] = await Promise.all([runGroup(src, dag, version, null, null), schedulerFacts(src)]);
  return { now: src.now, dag, version, group, schedulers };
}

/** The facts for a run and its task instances. Throws NotFoundError for an unknown DAG or run. */
export async function gatherRunFacts(src: ExplainSources, dagId: string, runId: string): Promise<RunFacts> {
  const { store } = src;
  const run = await store.getRun(dagId, runId);
  if (!run) {
    await dagWithVersion(store, dagId);
    throw new NotFoundError(`DAG "${dagId}" has no run "${runId}"`);
  }
  const dag = await store.getDag(dagId);
  const [version, latest, taskInstances, schedulers] = await Promise.all([
    store.getDagVersion(run.dagVersion),
    dag ? store.getDagVersion(dag.latestVersion) : Promise.resolve(undefined),
    store.listTaskInstances(run.id),
    schedulerFacts(src),
  ]);
  const [group, slots, previous, workers] = await Promise.all([
    dag ? runGroup(src, dag, latest, run.backfillId, run) : Promise.resolve(emptyGroup(run)),
    slotFacts(store, latest ?? version),
    previousRun(store, run, version),
    src.workers ? workerFacts(src.workers, run, taskInstances, src.now) : Promise.resolve(undefined),
  ]);
  return { now: src.now, dag, version, run, taskInstances, group, slots, previous, schedulers, ...(workers ? { workers } : {}) };
}

/**
 * Who listens on which queue (active workers), the queues' depths, and the mailbox rows of the
 * run's queued task instances (the first {@link REMOTE_LOOKUPS}).
 */
async function workerFacts(workers: NonNullable<ExplainSources["workers"]>, run: RunRecord, tis: TaskInstanceRecord[], now: number): Promise<WorkerFacts> {
  const queued = tis.filter((t) => t.state === "queued").slice(0, REMOTE_LOOKUPS);
  const [list, depths, rows] = await Promise.all([
    workers.listWorkers(now),
    workers.remoteQueueDepths(),
    Promise.all(queued.map((t) => workers.getRemoteAttempt(`${run.id}/${t.taskId}/${t.mapIndex}/${t.tryNumber}`))),
  ]);
  const active: Record<string, number> = {};
  for (const w of list) if (w.state === "active") for (const q of w.queues) active[q] = (active[q] ?? 0) + 1;
  const attempts: WorkerFacts["attempts"] = {};
  for (const r of rows) if (r) attempts[r.attemptId] = { queue: r.queue, state: r.state, workerId: r.workerId };
  return { active, depths, attempts };
}

async function dagWithVersion(store: Store, dagId: string): Promise<{ dag: DagRecord; version: DagVersionRecord }> {
  const dag = await store.getDag(dagId);
  const version = dag ? await store.getDagVersion(dag.latestVersion) : undefined;
  if (!dag || !version) throw new NotFoundError(`unknown DAG "${dagId}"`);
  return { dag, version };
}

/**
 * The run's limit group as the scheduler sees it (scheduler/queued-runs.ts): the DAG's own runs
 * under its latest maxActiveRuns, or a backfill's under the backfill's. Queued runs come in the
 * scheduler's start order; for a run, the due page the scheduler would read.
 */
async function runGroup(
  src: ExplainSources,
  dag: DagRecord,
  latest: DagVersionRecord | undefined,
  backfillId: number | null,
  run: RunRecord | null,
): Promise<RunGroupFacts> {
  const { store, now } = src;
  const backfill = backfillId === null ? undefined : await store.getBackfill(backfillId);
  const limit = backfillId === null ? (latest?.spec.maxActiveRuns ?? 16) : (backfill?.maxActiveRuns ?? 1);
  const inGroup = (r: RunRecord) => r.backfillId === backfillId;
  const running = (await store.listRuns({ dagId: dag.dagId, states: ["running"], ...(backfillId === null ? {} : { backfillId }), limit: 1000 })).filter(
    inGroup,
  );
  let queued: RunRecord[];
  if (run && run.state === "queued") {
    // What the scheduler's next tick reads: due runs, oldest first, one page of `limit`.
    queued = await store.listDueQueuedRuns({ dagId: dag.dagId, backfillId, dueBy: now, limit: Math.max(1, Math.min(limit, 500)) + 1 });
  } else {
    queued = (await store.listRuns({ dagId: dag.dagId, states: ["queued"], ...(backfillId === null ? {} : { backfillId }), limit: QUEUED_SHOWN })).filter(
      inGroup,
    );
    queued.sort((a, b) => (a.logicalDate ?? a.runAfter) - (b.logicalDate ?? b.runAfter) || a.id - b.id);
  }
  return {
    limit,
    backfillId,
    paused: backfill?.paused ?? false,
    running: running.map((r) => ({ runId: r.runId, startedAt: r.startedAt })),
    queued: queued.map((r) => ({ runId: r.runId, logicalDate: r.logicalDate, runAfter: r.runAfter })),
  };
}

function emptyGroup(run: RunRecord): RunGroupFacts {
  return { limit: 16, backfillId: run.backfillId, running: [], queued: [] };
}

/**
 * Pools and every queued or running task instance (they hold pool slots and count against
 * maxActiveTasks), named by DAG and run. A mapped task's own instance, `running` while its copies
 * run, holds nothing: its copies do.
 */
async function slotFacts(store: Store, latest: DagVersionRecord | undefined): Promise<SlotFacts> {
  const [pools, busy] = await Promise.all([store.listPools(), store.listTaskInstancesInStates(["queued", "running"])]);
  const runs = new Map<number, RunRecord | undefined>();
  const versions = new Map<string, DagVersionRecord | undefined>();
  await Promise.all([...new Set(busy.map((t) => t.runPk))].map(async (pk) => runs.set(pk, await store.getRunById(pk))));
  await Promise.all([...new Set([...runs.values()].flatMap((r) => (r ? [r.dagVersion] : [])))].map(async (h) => versions.set(h, await store.getDagVersion(h))));
  const holders: Holder[] = [];
  for (const t of busy) {
    const run = runs.get(t.runPk);
    if (!run) continue;
    if (t.mapIndex < 0 && versions.get(run.dagVersion)?.spec.tasks.find((s) => s.taskId === t.taskId)?.map) continue;
    holders.push({ dagId: run.dagId, runId: run.runId, taskId: t.taskId, mapIndex: t.mapIndex, state: t.state, pool: t.pool, poolSlots: t.poolSlots });
  }
  holders.sort((a, b) => a.dagId.localeCompare(b.dagId) || a.runId.localeCompare(b.runId) || a.taskId.localeCompare(b.taskId) || a.mapIndex - b.mapIndex);
  return { pools, busy: holders, maxActiveTasks: latest?.spec.maxActiveTasks ?? 16 };
}

/** depends_on_past reads the previous run (not manual with catchup, any without: scheduler/depends-on-past.ts). */
async function previousRun(store: Store, run: RunRecord, version: DagVersionRecord | undefined): Promise<RunFacts["previous"]> {
  if (run.logicalDate === null || !version?.spec.tasks.some((t) => t.dependsOnPast)) return null;
  const prev = await store.getPreviousRun(run.dagId, run.logicalDate, { runTypes: previousRunTypes(version.spec.catchup) });
  if (!prev) return null;
  const tis = await store.listTaskInstances(prev.id);
  return { runId: prev.runId, logicalDate: prev.logicalDate, taskInstances: tis.map((t) => ({ taskId: t.taskId, mapIndex: t.mapIndex, state: t.state })) };
}

async function schedulerFacts(src: ExplainSources): Promise<SchedulerFacts> {
  const [heartbeats, leases] = await Promise.all([
    src.store.listHeartbeats("scheduler"),
    src.leases ? src.leases.listSchedulerLeases() : Promise.resolve(undefined),
  ]);
  return {
    heartbeats,
    freshMs: SCHEDULER_ALIVE_MS,
    ...(leases
      ? { leases: leases.filter((l) => l.fencedAt === null).map((l) => ({ id: l.id, host: l.host, pid: l.pid, beatAt: l.beatAt, fencedAt: l.fencedAt })) }
      : {}),
  };
}
