import { NotFoundError } from "../core/errors.js";
import type { DagRecord, DagVersionRecord, RunRecord, TaskInstanceRecord } from "../core/model/records.js";
import type { Store } from "../core/ports/store.js";

/** Cheap reads that turn unknown ids into NotFoundError (404) before anything else happens. */

export async function requireDag(store: Store, dagId: string): Promise<{ dag: DagRecord; version: DagVersionRecord }> {
  const dag = await store.getDag(dagId);
  const version = dag?.active ? await store.getDagVersion(dag.latestVersion) : undefined;
  if (!dag || !version) throw new NotFoundError(`unknown DAG "${dagId}"`);
  return { dag, version };
}

export async function requireRun(store: Store, dagId: string, runId: string): Promise<RunRecord> {
  const run = await store.getRun(dagId, runId);
  if (!run) {
    await requireDag(store, dagId);
    throw new NotFoundError(`DAG "${dagId}" has no run "${runId}"`);
  }
  return run;
}

/** A task instance: the task's own (mapIndex -1, the default) or copy `mapIndex` of a mapped task. */
export async function requireTaskInstance(store: Store, run: RunRecord, taskId: string, mapIndex = -1): Promise<TaskInstanceRecord> {
  const tis = (await store.listTaskInstances(run.id)).filter((t) => t.taskId === taskId);
  const ti = tis.find((t) => t.mapIndex === mapIndex);
  if (!ti) {
    if (tis.length === 0 || mapIndex === -1) throw new NotFoundError(`run "${run.runId}" of DAG "${run.dagId}" has no task "${taskId}"`);
    const copies = tis.filter((t) => t.mapIndex >= 0 && t.state !== "removed").length;
    throw new NotFoundError(
      `task "${taskId}" of run "${run.runId}" has no copy ${mapIndex} (map indexes 0-${copies - 1})`.replace(" (map indexes 0--1)", " (it is not mapped)"),
    );
  }
  return ti;
}
