import { ConflictError, InvalidInputError, NotFoundError } from "../../core/errors.js";
import type { DagVersionRecord, RunRecord } from "../../core/model/records.js";
import type { Store } from "../../core/ports/store.js";
import { buildManualRun, makeRunId } from "../run-factory.js";

const RUN_ID = /^[A-Za-z0-9_.~:+-]{1,250}$/;

/** The latest version of an active DAG, or NotFoundError listing the known DAG ids. */
export async function requireDagVersion(store: Store, dagId: string): Promise<DagVersionRecord> {
  const dag = await store.getDag(dagId);
  const version = dag?.active ? await store.getDagVersion(dag.latestVersion) : undefined;
  if (!version) {
    const known = (await store.listDags()).filter((d) => d.active).map((d) => d.dagId);
    const errors = await store.listImportErrors();
    const hint = errors.length > 0 ? ` (${errors.length} DAG file(s) failed to load: see \`baton dags errors\`)` : "";
    throw new NotFoundError(`unknown DAG "${dagId}"; known DAGs: ${known.join(", ") || "(none)"}${hint}`);
  }
  return version;
}

/** Thrown when a run id is taken (the API answers 409). */
export class RunExistsError extends ConflictError {}

/**
 * Queues a manual run of the DAG's latest version; the scheduler starts it. `conf` is
 * validated against the DAG's params (InvalidInputError naming the field). `triggeredBy` (who
 * asked: a username, `local`, `cli:<os user>`, `webhook`) is kept on the run.
 */
export async function triggerRun(
  store: Store,
  dagId: string,
  req: { conf?: Record<string, unknown>; logicalDate?: number | null; runId?: string | null; triggeredBy?: string | null },
  now: number,
): Promise<RunRecord> {
  const version = await requireDagVersion(store, dagId);
  const at = req.logicalDate ?? now;
  const runId = req.runId ?? makeRunId("manual", at);
  if (!RUN_ID.test(runId)) throw new InvalidInputError(`runId "${runId}" may only contain letters, digits and _.~:+- (at most 250)`);
  const { run, tis } = buildManualRun({ version, at, conf: req.conf ?? {}, runId, now });
  const created = await store.createRun(req.triggeredBy ? { ...run, triggeredBy: req.triggeredBy } : run, tis);
  if (!created) throw new RunExistsError(`DAG ${dagId} already has a run with id "${runId}"`);
  return created;
}
