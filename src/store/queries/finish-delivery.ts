import type { Kysely } from "kysely";
import type { DeliveryOutcome } from "../../core/ports/notification-store.js";
import type { Database } from "../schema/database.js";

/** Records an attempt's outcome and drops the claim, if `claimer` still holds the row. */
export async function finishDelivery(db: Kysely<Database>, id: number, claimer: string, o: DeliveryOutcome): Promise<boolean> {
  const result = await db
    .updateTable("notification_deliveries")
    .set({
      state: o.state,
      attempts: o.attempts,
      last_error: o.lastError,
      next_attempt_at: o.state === "pending" ? o.nextAttemptAt : null,
      target: o.target,
      external_ref: o.externalRef,
      claimed_by: null,
      claimed_until: null,
      updated_at: o.at,
      ...(o.state === "delivered" ? { delivered_at: o.at } : {}),
    })
    .where("id", "=", id)
    .where("claimed_by", "=", claimer)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Drops `claimer`'s claims without recording attempts: the rows are due again for anyone. */
export async function releaseDeliveries(db: Kysely<Database>, claimer: string): Promise<void> {
  await db.updateTable("notification_deliveries").set({ claimed_by: null, claimed_until: null }).where("claimed_by", "=", claimer).execute();
}
