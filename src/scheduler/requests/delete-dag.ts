import { rmSync } from "node:fs";
import { isAbsolute, join, relative, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { ConflictError, NotFoundError } from "../../core/errors.js";
import type { CommandInbox } from "../../core/ports/command-inbox.js";
import type { PurgeLimits, RetentionStore } from "../../core/ports/retention-store.js";
import type { Store } from "../../core/ports/store.js";
import { dagValuePrefix, type ValueStore } from "../../core/ports/value-store.js";

/** One purge transaction's size, as `baton db clean`'s: the scheduler's commits wait for it only briefly. */
const BATCH: PurgeLimits = { maxRuns: 1_000, maxTaskInstances: 5_000 };
const POLL_MS = 25;

export interface DeleteDagDeps {
  store: Pick<Store, "getDag" | "listRuns" | "listBackfills">;
  retention: Pick<RetentionStore, "purgeFinishedRuns" | "deleteDag">;
  /** Where cancels go with `force` (the scheduler applies them). */
  inbox: Pick<CommandInbox, "enqueueCommand" | "getCommand">;
  /** The task logs folder: the DAG's `dag_id=<id>` folder in it goes too. */
  logsDir: string;
  now(): number;
  /** BATON_VALUE_STORE: the DAG's offloaded return values (`dag_id=<id>/`) go too; absent → left alone. */
  values?: Pick<ValueStore, "deletePrefix"> | null;
  /** Nudges an in-process scheduler to apply the cancels now. */
  wake?: () => void;
  /** How long `force` waits for the scheduler to apply its cancels and the runs to end. */
  cancelWaitMs: number;
}

export interface DagDeleted {
  dagId: string;
  /** The file that defined it when it was deleted. */
  fileloc: string;
  runs: number;
  taskInstances: number;
  attempts: number;
  versions: number;
  /** Runs cancelled first (`force`). */
  cancelledRuns: string[];
  /** Backfills cancelled first (`force`). */
  cancelledBackfills: number[];
  /** What happens next: the DAG reappears at the next sync while its file defines it. */
  note: string;
}

/** Why a DAG is not deleted yet: its queued or running runs and unfinished backfills. */
export class DagBusyError extends ConflictError {}

/**
 * `baton dags delete` and `DELETE /api/v1/dags/{dagId}`: deletes a DAG with its runs, task
 * instances, attempts, logs, backfills and versions (docs/authoring.md#deleting-a-dag-baton-dags-delete). Refused
 * ({@link DagBusyError}) while a run is queued or running or a backfill unfinished, unless
 * `force`, which first asks the scheduler (the one writer of run state) to cancel them and waits
 * up to `cancelWaitMs` for it; without a scheduler applying them the DAG is not deleted.
 * Finished runs go in batches as `baton db clean` deletes them, the rest in one last transaction
 * that deletes nothing if a run became active meanwhile.
 */
export async function deleteDag(deps: DeleteDagDeps, dagId: string, opts: { force: boolean; requestedBy: string | null }): Promise<DagDeleted> {
  const dag = await deps.store.getDag(dagId);
  if (!dag) throw new NotFoundError(`unknown DAG "${dagId}"`);
  let busy = await activeWork(deps, dagId);
  const cancelledRuns: string[] = [];
  const cancelledBackfills: number[] = [];
  if (busy.runs.length + busy.backfills.length > 0) {
    if (!opts.force)
      throw new DagBusyError(
        `DAG "${dagId}" ${describe(busy)}; wait for them to end or cancel them, or delete with force (\`--force\`, \`?force=true\`) to cancel them first`,
      );
    const ids: number[] = [];
    for (const backfillId of busy.backfills) {
      ids.push((await deps.inbox.enqueueCommand("cancel_backfill", { backfillId }, opts.requestedBy, deps.now())).id);
      cancelledBackfills.push(backfillId);
    }
    for (const r of busy.runs) {
      ids.push((await deps.inbox.enqueueCommand("cancel_run", { dagId, runId: r.runId }, opts.requestedBy, deps.now())).id);
      cancelledRuns.push(r.runId);
    }
    deps.wake?.();
    busy = await waitForCancels(deps, dagId, ids);
    if (busy.runs.length + busy.backfills.length > 0) {
      throw new DagBusyError(
        `DAG "${dagId}" was not deleted: cancels were requested (commands ${ids.map((i) => `#${i}`).join(", ")}) but it still ${describe(busy)} ` +
          `after ${deps.cancelWaitMs / 1000} s — is a scheduler running? Delete it again once they have ended`,
      );
    }
  }

  const sum = { runs: 0, taskInstances: 0, attempts: 0 };
  const add = (c: typeof sum) => {
    sum.runs += c.runs;
    sum.taskInstances += c.taskInstances;
    sum.attempts += c.attempts;
  };
  for (;;) {
    const batchStart = performance.now();
    const batch = await deps.retention.purgeFinishedRuns({ endedBefore: Number.MAX_SAFE_INTEGER, dagId }, BATCH);
    if (batch.runs === 0) break;
    add(batch);
    // Give other writers (the scheduler) the database for at least as long as the batch held it.
    await sleep(Math.max(10, performance.now() - batchStart));
  }
  const last = await deps.retention.deleteDag(dagId);
  if (last.outcome === "active_runs") {
    throw new DagBusyError(
      `DAG "${dagId}" was not deleted: ${last.activeRuns.length} run(s) became active meanwhile (${last.activeRuns.map((r) => r.runId).join(", ")}); ${sum.runs} finished run(s) were deleted`,
    );
  }
  if (last.outcome === "deleted") add(last);
  removeLogs(deps.logsDir, dagId);
  await deps.values?.deletePrefix(dagValuePrefix(dagId));
  return {
    dagId,
    fileloc: dag.fileloc,
    ...sum,
    versions: last.outcome === "deleted" ? last.versions : 0,
    cancelledRuns,
    cancelledBackfills,
    note: dag.active
      ? `if ${dag.fileloc} still defines DAG "${dagId}", it reappears (with no history) at the next DAG sync; delete or change the file to keep it away`
      : `its file no longer defines it`,
  };
}

interface Busy {
  runs: { runId: string; state: string }[];
  backfills: number[];
}

async function activeWork(deps: DeleteDagDeps, dagId: string): Promise<Busy> {
  const runs = await deps.store.listRuns({ dagId, states: ["queued", "running"], limit: 1_000 });
  const backfills = await deps.store.listBackfills({ dagId, states: ["queued", "running"] });
  return { runs: runs.map((r) => ({ runId: r.runId, state: r.state })), backfills: backfills.map((b) => b.id) };
}

function describe(busy: Busy): string {
  const parts: string[] = [];
  if (busy.runs.length > 0) {
    const shown = busy.runs
      .slice(0, 5)
      .map((r) => `${r.runId} (${r.state})`)
      .join(", ");
    parts.push(`${busy.runs.length} active run(s): ${shown}${busy.runs.length > 5 ? ", …" : ""}`);
  }
  if (busy.backfills.length > 0) parts.push(`${busy.backfills.length} unfinished backfill(s): ${busy.backfills.join(", ")}`);
  return `has ${parts.join(" and ")}`;
}

/** Waits until the commands are applied and the DAG has no active work, or `cancelWaitMs` passed; returns what is still active. */
async function waitForCancels(deps: DeleteDagDeps, dagId: string, commandIds: number[]): Promise<Busy> {
  const deadline = performance.now() + deps.cancelWaitMs;
  for (;;) {
    const applied = await Promise.all(commandIds.map(async (id) => (await deps.inbox.getCommand(id))?.appliedAt != null));
    const busy = await activeWork(deps, dagId);
    if ((applied.every(Boolean) && busy.runs.length + busy.backfills.length === 0) || performance.now() >= deadline) return busy;
    await sleep(POLL_MS);
  }
}

/** Deletes `<logsDir>/dag_id=<dagId>`, unless the id would lead outside the logs folder. */
function removeLogs(logsDir: string, dagId: string): void {
  const dir = join(logsDir, `dag_id=${dagId}`);
  const inside = relative(resolve(logsDir), resolve(dir));
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) return;
  rmSync(dir, { recursive: true, force: true });
}
