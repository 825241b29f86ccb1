import type { Kysely } from "kysely";
import type { ChangeSet } from "../../core/ports/store.js";
import { compareText } from "../key-order.js";
import type { Database } from "../schema/database.js";
import { patchBackfill } from "./patch-backfill.js";
import { patchRun } from "./patch-run.js";
import { insertDatasetEvents } from "./record-dataset-events.js";
import { setLastScheduledLogicalDate } from "./set-last-scheduled-logical-date.js";
import { upsertAttempts } from "./upsert-attempts.js";
import { upsertTaskInstances } from "./upsert-task-instances.js";

/**
 * The scheduler's unit of work in ONE transaction. Tables are always written in the same order
 * (runs, task instances, attempts, dags, backfills, dataset events) and rows within a table in key order, so two
 * committers never wait on each other in a cycle.
 */
export async function commitChanges(db: Kysely<Database>, maxParameters: number, changes: ChangeSet): Promise<void> {
  const runs = [...(changes.runs ?? [])].sort((a, b) => a.id - b.id);
  const schedules = [...(changes.dagSchedules ?? [])].sort((a, b) => compareText(a.dagId, b.dagId));
  const backfills = [...(changes.backfills ?? [])].sort((a, b) => a.id - b.id);
  const tis = changes.taskInstances ?? [];
  const attempts = changes.attempts ?? [];
  const events = changes.datasetEvents ?? [];
  if (runs.length + schedules.length + backfills.length + tis.length + attempts.length + events.length === 0) return;

  await db.transaction().execute(async (trx) => {
    for (const patch of runs) await patchRun(trx, patch);
    await upsertTaskInstances(trx, maxParameters, tis);
    await upsertAttempts(trx, maxParameters, attempts);
    for (const s of schedules) await setLastScheduledLogicalDate(trx, s.dagId, s.lastScheduledLogicalDate);
    for (const patch of backfills) await patchBackfill(trx, patch);
    // Last: dataset_events is appended to, in the order the events happened.
    await insertDatasetEvents(trx, events);
  });
}
