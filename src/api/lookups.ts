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

export async function requireTaskInstance(store: Store, run: RunRecord, taskId: string): Promise<TaskInstanceRecord> {
  const tis = (await store.listTaskInstances(run.id)).filter((t) => t.taskId === taskId);
  const ti = tis.find((t) => t.mapIndex === -1) ?? tis[0];
  if (!ti) throw new NotFoundError(`run "${run.runId}" of DAG "${run.dagId}" has no task "${taskId}"`);
  return ti;
}
