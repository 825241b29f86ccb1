import type { Kysely } from "kysely";
import { FencedError } from "../../core/errors.js";
import type { CommitFence } from "../../core/ports/scheduler-leases.js";
import type { ChangeSet } from "../../core/ports/store.js";
import type { DialectFeatures } from "../dialect-features.js";
import { compareText } from "../key-order.js";
import type { Database } from "../schema/database.js";
import { commitInOneStatement } from "./commit-in-one-statement.js";
import { patchBackfill } from "./patch-backfill.js";
import { patchRun } from "./patch-run.js";
import { insertQueued } from "./remote-attempts-submit.js";
import { insertDatasetEvents } from "./record-dataset-events.js";
import { setLastScheduledLogicalDate } from "./set-last-scheduled-logical-date.js";
import { upsertAttempts } from "./upsert-attempts.js";
import { upsertTaskInstances } from "./upsert-task-instances.js";

/**
 * The scheduler's unit of work in ONE transaction. Tables are always written in the same order
 * (runs, task instances, attempts, remote attempts, dags, backfills, dataset events) and rows within a table in key order, so two
 * committers never wait on each other in a cycle.
 *
 * With a `fence`, the transaction first reads the committer's lease (`FOR SHARE` where rows lock,
 * so a fence of that lease waits for this commit or this commit waits for the fence) and writes
 * nothing, throwing {@link FencedError}, when the lease is fenced or gone.
 *
 * With writable CTEs (PostgreSQL), a change set of runs, task instances, attempts and remote attempts only (the
 * scheduler's hot path) is written by {@link commitInOneStatement} instead: the same writes, in
 * the same order, fenced the same way, in one round trip.
 */
export async function commitChanges(
  db: Kysely<Database>,
  features: Pick<DialectFeatures, "maxParameters" | "rowLocks" | "writableCtes">,
  changes: ChangeSet,
  fence?: CommitFence,
): Promise<void> {
  const { maxParameters, rowLocks } = features;
  const runs = [...(changes.runs ?? [])].sort((a, b) => a.id - b.id);
  const schedules = [...(changes.dagSchedules ?? [])].sort((a, b) => compareText(a.dagId, b.dagId));
  const backfills = [...(changes.backfills ?? [])].sort((a, b) => a.id - b.id);
  const tis = changes.taskInstances ?? [];
  const attempts = changes.attempts ?? [];
  const events = changes.datasetEvents ?? [];
  const remote = changes.remoteAttempts ?? [];
  if (runs.length + schedules.length + backfills.length + tis.length + attempts.length + events.length + remote.length === 0) return;
  // The hot path (runs, task instances, attempts, remote attempts): one round trip where the engine allows it.
  if (features.writableCtes && schedules.length + backfills.length + events.length === 0) {
    return commitInOneStatement(db, runs, tis, attempts, fence?.schedulerId, remote);
  }

  await db.transaction().execute(async (trx) => {
    if (fence) await checkFence(trx, rowLocks, fence.schedulerId);
    for (const patch of runs) await patchRun(trx, patch);
    await upsertTaskInstances(trx, maxParameters, tis);
    await upsertAttempts(trx, maxParameters, attempts);
    // After their attempts' records: the mailbox rows that hand them to remote workers.
    await insertQueued(trx, maxParameters, remote);
    for (const s of schedules) await setLastScheduledLogicalDate(trx, s.dagId, s.lastScheduledLogicalDate);
    for (const patch of backfills) await patchBackfill(trx, patch);
    // Last: dataset_events is appended to, in the order the events happened.
    await insertDatasetEvents(trx, events);
  });
}

async function checkFence(trx: Kysely<Database>, rowLocks: boolean, schedulerId: string): Promise<void> {
  let q = trx.selectFrom("scheduler_leases").select("fenced_by").where("id", "=", schedulerId);
  q = q.where("fenced_at", "is", null);
  if (rowLocks) q = q.forShare();
  if ((await q.executeTakeFirst()) === undefined) {
    throw new FencedError(`scheduler ${schedulerId} was fenced (another scheduler adopted its work); its changes were not written`);
  }
}
