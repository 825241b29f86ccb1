import type { Kysely, UpdateQueryBuilder, UpdateResult } from "kysely";
import type { CallbackFilter, CallbackKey, CallbackRecord, CallbackStatus } from "../../core/ports/callback-store.js";
import type { Database } from "../schema/database.js";
import type { CallbackClaimsTable } from "../schema/callback-tables.js";

/** Insert-if-absent on the claim's primary key: true when this insert made the row. */
export async function claimCallback(db: Kysely<Database>, key: CallbackKey, run: { dagId: string; runId: string }, by: string, at: number): Promise<boolean> {
  const result = await db
    .insertInto("callback_claims")
    .values({
      run_pk: key.runPk,
      task_id: key.taskId ?? "",
      map_index: key.mapIndex,
      try_number: key.tryNumber,
      event: key.event,
      dag_id: run.dagId,
      run_id: run.runId,
      status: "running",
      message: null,
      claimed_by: by,
      claimed_at: at,
      finished_at: null,
    })
    .onConflict((oc) => oc.columns(["run_pk", "task_id", "map_index", "try_number", "event"]).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
}

/** Refreshes a `running` claim's time while its claimant still holds it: true when it does. */
export async function renewCallback(db: Kysely<Database>, key: CallbackKey, by: string, at: number): Promise<boolean> {
  const result = await whereKey(db.updateTable("callback_claims").set({ claimed_at: at }), key)
    .where("status", "=", "running")
    .where("claimed_by", "=", by)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/**
 * Takes over a `running` claim nobody renewed since `staleBefore` (its claimant died while firing):
 * a conditional update, so of several takers one wins. True when this caller won and must fire.
 */
export async function retakeCallback(db: Kysely<Database>, key: CallbackKey, by: string, at: number, staleBefore: number): Promise<boolean> {
  const result = await whereKey(db.updateTable("callback_claims").set({ claimed_by: by, claimed_at: at }), key)
    .where("status", "=", "running")
    .where("claimed_at", "<", staleBefore)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

type ClaimUpdate = UpdateQueryBuilder<Database, "callback_claims", "callback_claims", UpdateResult>;

function whereKey(q: ClaimUpdate, key: CallbackKey): ClaimUpdate {
  return q
    .where("run_pk", "=", key.runPk)
    .where("task_id", "=", key.taskId ?? "")
    .where("map_index", "=", key.mapIndex)
    .where("try_number", "=", key.tryNumber)
    .where("event", "=", key.event);
}

export async function finishCallback(db: Kysely<Database>, key: CallbackKey, status: CallbackStatus, message: string | null, at: number): Promise<void> {
  await whereKey(db.updateTable("callback_claims").set({ status, message, finished_at: at }), key).execute();
}

export async function listCallbacks(db: Kysely<Database>, filter: CallbackFilter): Promise<CallbackRecord[]> {
  let q = db.selectFrom("callback_claims").selectAll();
  if (filter.dagId !== undefined) q = q.where("dag_id", "=", filter.dagId);
  if (filter.runId !== undefined) q = q.where("run_id", "=", filter.runId);
  const rows = await q.orderBy("claimed_at", "desc").orderBy("run_pk", "desc").limit(filter.limit).execute();
  return rows.map(toRecord);
}

function toRecord(r: CallbackClaimsTable): CallbackRecord {
  return {
    runPk: Number(r.run_pk),
    taskId: r.task_id === "" ? null : r.task_id,
    mapIndex: Number(r.map_index),
    tryNumber: Number(r.try_number),
    event: r.event,
    dagId: r.dag_id,
    runId: r.run_id,
    status: r.status as CallbackStatus,
    message: r.message,
    claimedBy: r.claimed_by,
    claimedAt: Number(r.claimed_at),
    finishedAt: r.finished_at === null ? null : Number(r.finished_at),
  };
}
