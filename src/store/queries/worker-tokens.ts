import type { Kysely } from "kysely";
import type { EpochMs } from "../../core/model/records.js";
import type { WorkerTokenRecord } from "../../core/model/workers.js";
import { toWorkerTokenRecord, toWorkerTokenRow } from "../rows/worker-rows.js";
import type { Database } from "../schema/database.js";

export async function createWorkerToken(db: Kysely<Database>, token: WorkerTokenRecord): Promise<void> {
  await db.insertInto("worker_tokens").values(toWorkerTokenRow(token)).execute();
}

export async function getWorkerToken(db: Kysely<Database>, id: string): Promise<WorkerTokenRecord | undefined> {
  const row = await db.selectFrom("worker_tokens").selectAll().where("id", "=", id).executeTakeFirst();
  return row && toWorkerTokenRecord(row);
}

/** Newest first, revoked ones included. */
export async function listWorkerTokens(db: Kysely<Database>): Promise<WorkerTokenRecord[]> {
  const rows = await db.selectFrom("worker_tokens").selectAll().orderBy("created_at", "desc").orderBy("id").execute();
  return rows.map(toWorkerTokenRecord);
}

/** False when unknown or already revoked. */
export async function revokeWorkerToken(db: Kysely<Database>, id: string, at: EpochMs): Promise<boolean> {
  const r = await db.updateTable("worker_tokens").set({ revoked_at: at }).where("id", "=", id).where("revoked_at", "is", null).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}

export async function touchWorkerToken(db: Kysely<Database>, id: string, at: EpochMs): Promise<void> {
  await db.updateTable("worker_tokens").set({ last_seen_at: at }).where("id", "=", id).execute();
}
