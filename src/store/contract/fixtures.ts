import type { DagSpec, TaskSpec } from "../../core/model/dag-spec.js";
import type { AttemptRecord, DagVersionRecord, NewRun, TaskInstanceRecord } from "../../core/model/records.js";

/** Unicode, nesting, nulls and awkward characters: what a JSON column must give back unchanged. */
export const AWKWARD_JSON = {
  ключ: "値 🎉 — «quoted» \"double\" 'single' \\ backslash\nnewline\ttab",
  nested: { a: [1, { b: null, c: [true, false] }], deep: { deeper: { deepest: "👩‍👩‍👧" } } },
  numbers: { zero: 0, negative: -1.5, large: Number.MAX_SAFE_INTEGER },
  empty: { object: {}, array: [], string: "" },
};

export function taskSpec(taskId: string, upstream: string[] = []): TaskSpec {
  return {
    taskId,
    kind: "function",
    upstream,
    inputs: {},
    retries: 0,
    retryDelayMs: 0,
    retryExponentialBackoff: false,
    maxRetryDelayMs: null,
    executionTimeoutMs: null,
    triggerRule: "all_success",
    pool: "default_pool",
    poolSlots: 1,
    priorityWeight: 1,
    dependsOnPast: false,
    command: null,
    line: 1,
    doc: null,
    inlets: [],
    outlets: [],
  };
}

export function dagSpec(dagId: string, fileloc = `/dags/${dagId}.ts`): DagSpec {
  return {
    dagId,
    fileloc,
    schedule: { kind: "cron", expression: "0 * * * *", mode: "interval" },
    startDate: 0,
    endDate: null,
    timezone: "Europe/Zürich",
    catchup: false,
    tags: ["étiquette", "标签"],
    description: "Lädt «Daten» 📦",
    owner: null,
    paramsSchema: { type: "object", properties: { n: { type: "integer", default: 1 } } },
    paramsDefaults: AWKWARD_JSON,
    maxActiveRuns: 1,
    maxActiveTasks: 16,
    runTimeoutMs: null,
    tasks: [taskSpec("extract"), taskSpec("load", ["extract"])],
  };
}

export function dagVersion(dagId: string, versionHash: string, options: { fileloc?: string; createdAt?: number } = {}): DagVersionRecord {
  return {
    versionHash,
    dagId,
    spec: dagSpec(dagId, options.fileloc),
    source: `export default dag("${dagId}") // ünïcødé ✓\n`,
    bundlePath: `/bundles/${versionHash}.mjs`,
    createdAt: options.createdAt ?? 1_700_000_000_000,
  };
}

export function newRun(dagId: string, runId: string, overrides: Partial<NewRun> = {}): NewRun {
  return {
    dagId,
    runId,
    runType: "manual",
    state: "queued",
    logicalDate: null,
    dataIntervalStart: null,
    dataIntervalEnd: null,
    runAfter: 1_700_000_000_000,
    conf: {},
    dagVersion: "v1",
    backfillId: null,
    createdAt: 1_700_000_000_000,
    ...overrides,
  };
}

export function taskInstance(taskId: string, overrides: Partial<TaskInstanceRecord> = {}): TaskInstanceRecord {
  return {
    runPk: 0,
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
    updatedAt: 1_700_000_000_000,
    ...overrides,
  };
}

export function manyTaskInstances(count: number, overrides: Partial<TaskInstanceRecord> = {}): TaskInstanceRecord[] {
  return Array.from({ length: count }, (_, i) => taskInstance("mapped", { mapIndex: i, ...overrides }));
}

export function attempt(runPk: number, taskId: string, tryNumber: number, overrides: Partial<AttemptRecord> = {}): AttemptRecord {
  return {
    runPk,
    taskId,
    mapIndex: -1,
    tryNumber,
    state: "running",
    startedAt: null,
    endedAt: null,
    error: null,
    logPath: null,
    pid: null,
    worker: null,
    ...overrides,
  };
}
