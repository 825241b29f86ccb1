import type { DagFacts, RunFacts } from "../explain/explain-types.js";
import type { DagSpec } from "../model/dag-spec.js";
import type { DagRecord, DagVersionRecord, RunRecord, TaskInstanceRecord } from "../model/records.js";

/** Now, in the explain tests: 2026-03-01 12:00 UTC. */
export const T0 = Date.UTC(2026, 2, 1, 12);

export function dagRecord(spec: DagSpec, overrides: Partial<DagRecord> = {}): DagRecord {
  return {
    dagId: spec.dagId,
    fileloc: spec.fileloc,
    paused: false,
    active: true,
    latestVersion: "v1",
    lastScheduledLogicalDate: null,
    createdAt: 0,
    updatedAt: 0,
    ...overrides,
  };
}

export function versionRecord(spec: DagSpec): DagVersionRecord {
  return { versionHash: "v1", dagId: spec.dagId, spec, source: "", bundlePath: "/b.mjs", createdAt: 0 };
}

export function runRecord(overrides: Partial<RunRecord> = {}): RunRecord {
  return {
    id: 1,
    dagId: "test_dag",
    runId: "r1",
    runType: "manual",
    state: "running",
    logicalDate: null,
    dataIntervalStart: null,
    dataIntervalEnd: null,
    runAfter: T0 - 60_000,
    conf: {},
    dagVersion: "v1",
    backfillId: null,
    startedAt: T0 - 60_000,
    endedAt: null,
    note: null,
    createdAt: T0 - 60_000,
    ...overrides,
  };
}

export function ti(taskId: string, overrides: Partial<TaskInstanceRecord> = {}): TaskInstanceRecord {
  return {
    runPk: 1,
    taskId,
    mapIndex: -1,
    state: "none",
    tryNumber: 0,
    maxTries: 1,
    priority: 1,
    pool: "default_pool",
    poolSlots: 1,
    queuedAt: null,
    startedAt: null,
    endedAt: null,
    nextRetryAt: null,
    output: null,
    error: null,
    followed: null,
    updatedAt: 0,
    ...overrides,
  };
}

/** A scheduler that beat a second ago. */
export const ALIVE = { heartbeats: [{ id: "s1", at: T0 - 1000 }], freshMs: 30_000 };

export function dagFacts(spec: DagSpec, overrides: Partial<DagFacts> = {}): DagFacts {
  return {
    now: T0,
    dag: dagRecord(spec),
    version: versionRecord(spec),
    group: { limit: spec.maxActiveRuns, backfillId: null, running: [], queued: [] },
    schedulers: ALIVE,
    ...overrides,
  };
}

/** A running run of `spec` with one instance per task (state none) unless given. */
export function runFacts(spec: DagSpec, overrides: Partial<RunFacts> = {}): RunFacts {
  return {
    now: T0,
    dag: dagRecord(spec),
    version: versionRecord(spec),
    run: runRecord({ dagId: spec.dagId }),
    taskInstances: spec.tasks.map((t) => ti(t.taskId, { pool: t.pool, poolSlots: t.poolSlots })),
    group: { limit: spec.maxActiveRuns, backfillId: null, running: [{ runId: "r1", startedAt: T0 - 60_000 }], queued: [] },
    slots: { pools: [{ name: "default_pool", slots: 128, description: "" }], busy: [], maxActiveTasks: spec.maxActiveTasks },
    previous: null,
    schedulers: ALIVE,
    ...overrides,
  };
}
