import type { Kysely } from "kysely";
import type { DatasetEventRecord, NewDatasetEvent } from "../../core/model/records.js";
import { toDatasetEventRecord } from "../rows/dataset-event-rows.js";
import type { Database } from "../schema/database.js";

/**
 * Appends dataset events in one transaction, in the given order (ids increase with it). An event
 * whose (uri, source attempt) is already stored is skipped: re-recording after a retried commit
 * changes nothing.
 */
export async function recordDatasetEvents(db: Kysely<Database>, events: NewDatasetEvent[]): Promise<DatasetEventRecord[]> {
  if (events.length === 0) return [];
  return db.transaction().execute((trx) => insertDatasetEvents(trx, events));
}

/** The inserts of {@link recordDatasetEvents}, inside the caller's transaction. */
export async function insertDatasetEvents(trx: Kysely<Database>, events: NewDatasetEvent[]): Promise<DatasetEventRecord[]> {
  const stored: DatasetEventRecord[] = [];
  for (const e of events) {
    const row = await trx
      .insertInto("dataset_events")
      .values({
        uri: e.uri,
        source_dag_id: e.source?.dagId ?? null,
        source_run_id: e.source?.runId ?? null,
        source_task_id: e.source?.taskId ?? null,
        source_try_number: e.source?.tryNumber ?? null,
        extra: JSON.stringify(e.extra),
        created_at: e.createdAt,
      })
      .onConflict((oc) => oc.columns(["uri", "source_dag_id", "source_run_id", "source_task_id", "source_try_number"]).doNothing())
      .returningAll()
      .executeTakeFirst();
    if (row) stored.push(toDatasetEventRecord(row));
  }
  return stored;
}
