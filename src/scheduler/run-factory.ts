import type { DagSpec } from "../core/model/dag-spec.js";
import { formatTs } from "../core/model/dates.js";
import type { DagVersionRecord, NewRun, TaskInstanceRecord } from "../core/model/records.js";
import type { RunType } from "../core/model/states.js";
import { buildGraph } from "../core/graph/dag-graph.js";
import { resolveParams } from "../core/params/resolve-params.js";
import { manualRunInterval, type RunInterval } from "../core/timetable/timetable.js";

/** Airflow-style run ids: `scheduled__2026-01-01T00:00:00+00:00`. */
export function makeRunId(runType: RunType, at: number): string {
  return `${runType}__${formatTs(at)}`;
}

/** Task instances for a new run, all in state "none". */
export function newTaskInstances(spec: DagSpec, now: number): TaskInstanceRecord[] {
  const graph = buildGraph(spec);
  return spec.tasks.map((t) => ({
    runPk: 0,
    taskId: t.taskId,
    mapIndex: -1,
    state: "none",
    tryNumber: 0,
    maxTries: t.retries + 1,
    priority: graph.priority.get(t.taskId) ?? t.priorityWeight,
    pool: t.pool,
    poolSlots: t.poolSlots,
    queuedAt: null,
    startedAt: null,
    endedAt: null,
    nextRetryAt: null,
    output: null,
    error: null,
    followed: null,
    updatedAt: now,
  }));
}

export interface RunRequest {
  version: DagVersionRecord;
  runType: RunType;
  interval: RunInterval;
  conf?: Record<string, unknown>;
  runId?: string;
  backfillId?: number | null;
  now: number;
}

/**
 * Builds a run and its task instances. Validates conf against the DAG's params
 * (throws InvalidInputError naming the field).
 */
export function buildRun(req: RunRequest): { run: NewRun; tis: TaskInstanceRecord[] } {
  const spec = req.version.spec;
  const conf = req.conf ?? {};
  resolveParams(spec.paramsSchema, spec.paramsDefaults, conf);
  const i = req.interval;
  const run: NewRun = {
    dagId: spec.dagId,
    runId: req.runId ?? makeRunId(req.runType, req.runType === "manual" ? req.now : i.logicalDate),
    runType: req.runType,
    state: "queued",
    logicalDate: i.logicalDate,
    dataIntervalStart: i.dataIntervalStart,
    dataIntervalEnd: i.dataIntervalEnd,
    runAfter: i.runAfter,
    conf,
    dagVersion: req.version.versionHash,
    backfillId: req.backfillId ?? null,
    createdAt: req.now,
  };
  return { run, tis: newTaskInstances(spec, req.now) };
}

/**
 * A manual run at logical date `at` (default now): the data interval is the schedule's interval
 * containing `at`; it may start at once. Validates conf against the params.
 */
export function buildManualRun(req: { version: DagVersionRecord; now: number; at?: number; conf?: Record<string, unknown>; runId?: string }): {
  run: NewRun;
  tis: TaskInstanceRecord[];
} {
  const s = req.version.spec;
  const interval = manualRunInterval(
    { schedule: s.schedule, startDate: s.startDate, endDate: s.endDate, timezone: s.timezone, catchup: s.catchup },
    req.at ?? req.now,
  );
  return buildRun({ version: req.version, runType: "manual", interval: { ...interval, runAfter: req.now }, conf: req.conf, runId: req.runId, now: req.now });
}
