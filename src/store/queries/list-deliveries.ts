import type { Kysely } from "kysely";
import { InvalidInputError } from "../../core/errors.js";
import type { DeliveryFilter, NotificationDelivery } from "../../core/ports/notification-store.js";
import { toDelivery } from "../rows/delivery-rows.js";
import type { Database } from "../schema/database.js";

/** Deliveries matching the filter, newest (highest id) first. */
export async function listDeliveries(db: Kysely<Database>, filter: DeliveryFilter): Promise<NotificationDelivery[]> {
  if (!Number.isInteger(filter.limit) || filter.limit < 0) throw new InvalidInputError(`listDeliveries: limit must be a whole number ≥ 0, got ${filter.limit}`);
  if (filter.states?.length === 0 || filter.limit === 0) return [];
  let q = db.selectFrom("notification_deliveries").selectAll();
  if (filter.dagId !== undefined) q = q.where("dag_id", "=", filter.dagId);
  if (filter.states !== undefined) q = q.where("state", "in", filter.states);
  if (filter.beforeId !== undefined) q = q.where("id", "<", filter.beforeId);
  const rows = await q.orderBy("id", "desc").limit(filter.limit).execute();
  return rows.map(toDelivery);
}

/**
 * When the next pending delivery may be claimed: the earliest due time among those not waiting
 * for an earlier delivery of their incident, a claimed one counting from its claim's end. Null
 * when none is pending.
 */
export async function nextDeliveryDue(db: Kysely<Database>): Promise<number | null> {
  const row = await db
    .selectFrom("notification_deliveries")
    .select((eb) =>
      eb.fn
        .min(
          eb
            .case()
            .when(eb.and([eb("claimed_until", "is not", null), eb("claimed_until", ">", eb.ref("next_attempt_at"))]))
            .then(eb.ref("claimed_until"))
            .else(eb.ref("next_attempt_at"))
            .end(),
        )
        .as("due"),
    )
    .where("state", "=", "pending")
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
    .executeTakeFirst();
  return row?.due === null || row?.due === undefined ? null : Number(row.due);
}

/** Deletes delivered and failed rows last updated before `before`. */
export async function pruneDeliveries(db: Kysely<Database>, before: number): Promise<number> {
  const result = await db
    .deleteFrom("notification_deliveries")
    .where("state", "in", ["delivered", "failed"])
    .where("updated_at", "<", before)
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
