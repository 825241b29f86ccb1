import type { Kysely } from "kysely";
import type { QueueDepth, RemoteAttemptRecord } from "../../core/model/workers.js";
import { toRemoteAttemptRecord } from "../rows/worker-rows.js";
import type { Database } from "../schema/database.js";

const HELD = ["assigned", "running"];

/** Attempts assigned to these workers whose stop was asked for and that are not finished. */
export async function listRemoteCancels(
  db: Kysely<Database>,
  workerIds: string[],
): Promise<Pick<RemoteAttemptRecord, "attemptId" | "workerId" | "cancelReason">[]> {
  if (workerIds.length === 0) return [];
  const rows = await db
    .selectFrom("remote_attempts")
    .select(["attempt_id", "worker_id", "cancel_reason"])
    .where("worker_id", "in", workerIds)
    .where("state", "in", HELD)
    .where("cancel_reason", "is not", null)
    .orderBy("attempt_id")
    .execute();
  return rows.map((r) => ({ attemptId: r.attempt_id, workerId: r.worker_id, cancelReason: r.cancel_reason }));
}

/** Attempts assigned to `workerId` and not finished, oldest first. */
export async function listWorkerAttempts(db: Kysely<Database>, workerId: string): Promise<RemoteAttemptRecord[]> {
  const rows = await db
    .selectFrom("remote_attempts")
    .selectAll()
    .where("worker_id", "=", workerId)
    .where("state", "in", HELD)
    .orderBy("created_at")
    .orderBy("attempt_id")
    .execute();
  return rows.map(toRemoteAttemptRecord);
}

export async function getRemoteAttempt(db: Kysely<Database>, attemptId: string): Promise<RemoteAttemptRecord | undefined> {
  const row = await db.selectFrom("remote_attempts").selectAll().where("attempt_id", "=", attemptId).executeTakeFirst();
  return row && toRemoteAttemptRecord(row);
}

/** Per queue with attempts not finished, by name: queued, and assigned or running. */
export async function remoteQueueDepths(db: Kysely<Database>): Promise<QueueDepth[]> {
  const rows = await db
    .selectFrom("remote_attempts")
    .select((eb) => [
      "queue",
      eb.fn.sum<number>(eb.case().when("state", "=", "queued").then(1).else(0).end()).as("queued"),
      eb.fn.sum<number>(eb.case().when("state", "in", HELD).then(1).else(0).end()).as("running"),
    ])
    .where("state", "<>", "finished")
    .groupBy("queue")
    .orderBy("queue")
    .execute();
  return rows.map((r) => ({ queue: r.queue, queued: Number(r.queued), running: Number(r.running) }));
}
