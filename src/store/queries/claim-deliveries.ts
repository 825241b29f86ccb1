import type { Kysely } from "kysely";
import type { NotificationDelivery } from "../../core/ports/notification-store.js";
import { toDelivery } from "../rows/delivery-rows.js";
import type { Database } from "../schema/database.js";

/**
 * Claims due pending deliveries for `leaseMs`: oldest due first, none while an earlier delivery of
 * its incident (dedup key, notifier, connection) is pending, none another claimer holds. With row
 * locks the candidates are selected `FOR UPDATE SKIP LOCKED`, so two claimers at once take
 * different rows; without them (SQLite) the transaction holds the one write lock. The update
 * repeats the claim condition, so a row is never held twice either way.
 */
export async function claimDeliveries(
  db: Kysely<Database>,
  rowLocks: boolean,
  claimer: string,
  now: number,
  leaseMs: number,
  limit: number,
): Promise<NotificationDelivery[]> {
  if (limit <= 0) return [];
  return db.transaction().execute(async (trx) => {
    let q = trx
      .selectFrom("notification_deliveries")
      .select("id")
      .where("state", "=", "pending")
      .where("next_attempt_at", "<=", now)
      .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom("notification_deliveries as earlier")
              .select("earlier.id")
              .whereRef("earlier.dedup_key", "=", "notification_deliveries.dedup_key")
              .whereRef("earlier.notifier", "=", "notification_deliveries.notifier")
              .whereRef("earlier.connection", "=", "notification_deliveries.connection")
              .whereRef("earlier.id", "<", "notification_deliveries.id")
              .where("earlier.state", "=", "pending"),
          ),
        ),
      )
      .orderBy("next_attempt_at")
      .orderBy("id")
      .limit(limit);
    if (rowLocks) q = q.forUpdate("notification_deliveries").skipLocked();
    const ids = (await q.execute()).map((r) => Number(r.id));
    if (ids.length === 0) return [];
    const rows = await trx
      .updateTable("notification_deliveries")
      .set({ claimed_by: claimer, claimed_until: now + leaseMs })
      .where("id", "in", ids)
      .where("state", "=", "pending")
      .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", now)]))
      .returningAll()
      .execute();
    return rows.map(toDelivery).sort((a, b) => (a.nextAttemptAt ?? 0) - (b.nextAttemptAt ?? 0) || a.id - b.id);
  });
}
