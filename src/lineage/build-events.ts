import type { AttemptStateChanged, RunStateChanged } from "../core/model/domain-events.js";
import type { DatasetName } from "./dataset-naming.js";
import { FACET_SCHEMAS, SCHEMA_URL, type BaseFacet, type RunEvent, type RunEventType } from "./openlineage-types.js";
import { attemptLineageId, dagRunLineageId } from "./run-ids.js";

/** Who emits and under which job namespace (`OPENLINEAGE_NAMESPACE`). */
export interface EmitterIdentity {
  namespace: string;
  /** URI of the producer, e.g. Baton's repository at its version. */
  producer: string;
}

/** What lineage needs of a DAG run (from the store and its DAG version). */
export interface RunFacts {
  dagId: string;
  runId: string;
  logicalDate: number | null;
  dataIntervalStart: number | null;
  dataIntervalEnd: number | null;
  /** The DAG file, or null when its version is unknown. */
  fileloc: string | null;
  /** The run that triggered this one (a `triggerDag` task's run), when known. */
  parent: { dagId: string; runId: string } | null;
}

/** What lineage needs of a task: the datasets it reads and writes, and its SQL. */
export interface TaskFacts {
  inputs: DatasetName[];
  outputs: DatasetName[];
  sql: { query: string; dialect: string } | null;
}

/**
 * The OpenLineage event type of an attempt's change, or null when it is none: the attempt starts
 * → START (RUNNING when a sensor's same try pokes again after waiting); it succeeds or is skipped
 * → COMPLETE; it fails (also when it will be retried) → FAIL, or ABORT when it was stopped (clear,
 * mark, cancel: its error starts with "stopped:"); a sensor starts waiting (reschedule, deferred)
 * → RUNNING.
 */
export function attemptEventType(e: AttemptStateChanged, resumed: boolean): RunEventType | null {
  switch (e.after) {
    case "running":
      return resumed ? "RUNNING" : "START";
    case "success":
    case "skipped":
      return "COMPLETE";
    case "failed":
    case "up_for_retry":
      return e.error?.startsWith("stopped:") ? "ABORT" : "FAIL";
    case "up_for_reschedule":
    case "deferred":
      return "RUNNING";
    default:
      return null;
  }
}

/** The event type of a DAG run's change: starts → START, succeeds → COMPLETE, fails → FAIL (ABORT when cancelled). */
export function runEventType(e: RunStateChanged): RunEventType | null {
  if (e.after === "running") return "START";
  if (e.after === "success") return "COMPLETE";
  if (e.after === "failed") return e.note?.startsWith("cancelled") ? "ABORT" : "FAIL";
  return null;
}

/** A DAG run's event: job `<dagId>`, run id derived from (dagId, runId). */
export function dagRunEvent(id: EmitterIdentity, type: RunEventType, at: number, run: RunFacts, error: string | null): RunEvent {
  const runFacets: Record<string, BaseFacet> = { ...nominalTime(id, run) };
  if (run.parent) {
    runFacets.parent = facet(id, "parent", {
      run: { runId: dagRunLineageId(run.parent.dagId, run.parent.runId) },
      job: { namespace: id.namespace, name: run.parent.dagId },
    });
  }
  if (error !== null && (type === "FAIL" || type === "ABORT")) runFacets.errorMessage = errorFacet(id, error);
  return {
    eventType: type,
    eventTime: new Date(at).toISOString(),
    producer: id.producer,
    schemaURL: SCHEMA_URL,
    run: { runId: dagRunLineageId(run.dagId, run.runId), facets: runFacets },
    job: { namespace: id.namespace, name: run.dagId, facets: jobFacets(id, "DAG", run.fileloc, null) },
    inputs: [],
    outputs: [],
  };
}

/** An attempt's event: job `<dagId>.<taskId>`, run id derived from (dag, run, task, map index, try), parent = its DAG run. */
export function attemptEvent(
  id: EmitterIdentity,
  type: RunEventType,
  e: Pick<AttemptStateChanged, "taskId" | "mapIndex" | "tryNumber" | "at" | "error">,
  run: RunFacts,
  task: TaskFacts,
): RunEvent {
  const dagRunId = dagRunLineageId(run.dagId, run.runId);
  const runFacets: Record<string, BaseFacet> = {
    ...nominalTime(id, run),
    parent: facet(id, "parent", {
      run: { runId: dagRunId },
      job: { namespace: id.namespace, name: run.dagId },
      root: run.parent
        ? { run: { runId: dagRunLineageId(run.parent.dagId, run.parent.runId) }, job: { namespace: id.namespace, name: run.parent.dagId } }
        : { run: { runId: dagRunId }, job: { namespace: id.namespace, name: run.dagId } },
    }),
  };
  if (e.error !== null && (type === "FAIL" || type === "ABORT")) runFacets.errorMessage = errorFacet(id, e.error);
  return {
    eventType: type,
    eventTime: new Date(e.at).toISOString(),
    producer: id.producer,
    schemaURL: SCHEMA_URL,
    run: { runId: attemptLineageId(run.dagId, run.runId, e.taskId, e.mapIndex, e.tryNumber), facets: runFacets },
    job: { namespace: id.namespace, name: `${run.dagId}.${e.taskId}`, facets: jobFacets(id, "TASK", run.fileloc, task.sql) },
    inputs: task.inputs.map((d) => ({ namespace: d.namespace, name: d.name })),
    outputs: task.outputs.map((d) => ({ namespace: d.namespace, name: d.name })),
  };
}

function facet(id: EmitterIdentity, kind: keyof typeof FACET_SCHEMAS, fields: Record<string, unknown>): BaseFacet {
  return { _producer: id.producer, _schemaURL: FACET_SCHEMAS[kind], ...fields };
}

function nominalTime(id: EmitterIdentity, run: RunFacts): Record<string, BaseFacet> {
  const start = run.dataIntervalStart ?? run.logicalDate;
  if (start === null) return {};
  const end = run.dataIntervalEnd;
  return {
    nominalTime: facet(id, "nominalTime", {
      nominalStartTime: new Date(start).toISOString(),
      ...(end !== null && end > start ? { nominalEndTime: new Date(end).toISOString() } : {}),
    }),
  };
}

function jobFacets(id: EmitterIdentity, jobType: "DAG" | "TASK", fileloc: string | null, sql: TaskFacts["sql"]): Record<string, BaseFacet> {
  const facets: Record<string, BaseFacet> = {
    jobType: facet(id, "jobType", { processingType: "BATCH", integration: "BATON", jobType }),
  };
  if (fileloc !== null) facets.sourceCodeLocation = facet(id, "sourceCodeLocation", { type: "file", url: fileUrl(fileloc), path: fileloc });
  if (sql !== null) facets.sql = facet(id, "sql", { query: sql.query, dialect: sql.dialect });
  return facets;
}

/**
 * The error facet: the first line as the message, the whole text as the stack trace when it has
 * one (a task's error carries the user's stack when it threw an Error).
 */
function errorFacet(id: EmitterIdentity, error: string): BaseFacet {
  const newline = error.indexOf("\n");
  const message = newline === -1 ? error : error.slice(0, newline);
  return facet(id, "errorMessage", { message, programmingLanguage: "JavaScript", ...(newline === -1 ? {} : { stackTrace: error }) });
}

function fileUrl(path: string): string {
  return `file://${path.split("/").map(encodeURIComponent).join("/")}`;
}
