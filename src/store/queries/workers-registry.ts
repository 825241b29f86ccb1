import type { Kysely } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import type { WorkerRecord, WorkerState } from "../../core/model/workers.js";
import { toWorkerRecord, toWorkerRow } from "../rows/worker-rows.js";
import type { Database } from "../schema/database.js";

const LIVE: WorkerState[] = ["active", "draining"];

/** Inserts the worker, or on reconnect updates everything but `started_at`. */
export async function upsertWorker(db: Kysely<Database>, worker: WorkerRecord): Promise<void> {
  const row = toWorkerRow(worker);
  const { id: _id, started_at: _startedAt, ...update } = row;
  await db
    .insertInto("workers")
    .values(row)
    .onConflict((oc) => oc.column("id").doUpdateSet(update))
    .execute();
}

/** Heartbeat; false when the worker is unknown or was declared lost. */
export async function touchWorker(db: Kysely<Database>, id: string, at: EpochMs, running: number): Promise<boolean> {
  const r = await db.updateTable("workers").set({ last_seen_at: at, running }).where("id", "=", id).where("state", "<>", "lost").executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function setWorkerState(db: Kysely<Database>, id: string, state: WorkerState, at: EpochMs, reason: string | null): Promise<void> {
  await db.updateTable("workers").set({ state, state_changed_at: at, reason }).where("id", "=", id).execute();
}

export async function getWorker(db: Kysely<Database>, id: string): Promise<WorkerRecord | undefined> {
  const row = await db.selectFrom("workers").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toWorkerRecord(row);
}

/** Active and draining workers, then the others seen since `since`; each group newest (by start) first. */
export async function listWorkers(db: Kysely<Database>, since: EpochMs): Promise<WorkerRecord[]> {
  const rows = await db
    .selectFrom("workers")
    .selectAll()
    .where((eb) => eb.or([eb("state", "in", LIVE), eb("last_seen_at", ">=", since)]))
    .orderBy((eb) => eb.case().when("state", "in", LIVE).then(0).else(1).end())
    .orderBy("started_at", "desc")
    .orderBy("id")
    .execute();
  return rows.map(toWorkerRecord);
}
