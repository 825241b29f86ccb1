import type { Kysely } from "kysely";
import type { NewDelivery, NotificationDelivery } from "../../core/ports/notification-store.js";
import { toDelivery } from "../rows/delivery-rows.js";
import type { Database } from "../schema/database.js";

/**
 * Inserts a pending delivery due at once, unless it repeats the incident's latest delivery (same
 * notifier, connection and dedup key) with the same event, recorded at or after `repeatSince`:
 * then null. A failure after a recovery is never a repeat. One transaction.
 */
export async function addDelivery(db: Kysely<Database>, d: NewDelivery, repeatSince: number): Promise<NotificationDelivery | null> {
  const { declaration: decl, alert } = d;
  return db.transaction().execute(async (trx) => {
    const latest = await trx
      .selectFrom("notification_deliveries")
      .select(["event", "created_at"])
      .where("dedup_key", "=", alert.dedupKey)
      .where("notifier", "=", decl.notifier)
      .where("connection", "=", decl.connection)
      .orderBy("id", "desc")
      .limit(1)
      .executeTakeFirst();
    if (latest !== undefined && latest.event === alert.event && Number(latest.created_at) >= repeatSince) return null;
    const row = await trx
      .insertInto("notification_deliveries")
      .values({
        notifier: decl.notifier,
        connection: decl.connection,
        target: decl.connection,
        dag_id: alert.dagId,
        run_id: alert.runId,
        task_id: alert.taskId,
        event: alert.event,
        severity: alert.severity,
        dedup_key: alert.dedupKey,
        summary: d.summary,
        declaration: JSON.stringify(decl),
        alert: JSON.stringify(alert),
        state: "pending",
        attempts: 0,
        last_error: null,
        next_attempt_at: d.createdAt,
        external_ref: null,
        claimed_by: null,
        claimed_until: null,
        created_at: d.createdAt,
        updated_at: d.createdAt,
        delivered_at: null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toDelivery(row);
  });
}
