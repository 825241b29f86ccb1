import type { Kysely } from "kysely";
import type { NotificationTicket } from "../../core/ports/notification-store.js";
import { toTicket } from "../rows/delivery-rows.js";
import type { Database } from "../schema/database.js";

export async function getTicket(db: Kysely<Database>, connection: string, dedupKey: string): Promise<NotificationTicket | undefined> {
  const row = await db.selectFrom("notification_tickets").selectAll().where("connection", "=", connection).where("dedup_key", "=", dedupKey).executeTakeFirst();
  return row === undefined ? undefined : toTicket(row);
}

/** Inserts or replaces the incident's ticket. */
export async function saveTicket(db: Kysely<Database>, t: NotificationTicket): Promise<void> {
  const values = { ticket_key: t.ticketKey, opened_at: t.openedAt, closed_at: t.closedAt };
  await db
    .insertInto("notification_tickets")
    .values({ connection: t.connection, dedup_key: t.dedupKey, ...values })
    .onConflict((oc) => oc.columns(["connection", "dedup_key"]).doUpdateSet(values))
    .execute();
}
