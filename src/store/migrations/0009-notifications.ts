import type { Kysely, Migration } from "kysely";
import type { DialectFeatures } from "../dialect-features.js";
import { columnTypes } from "./column-types.js";

/**
 * The notification outbox (docs/alerts.md#notifiers): one row per alert a notifier delivers, with
 * its state, attempts, last error and next attempt, and the claim of the process delivering it;
 * and the helpdesk tickets (Jira issues) opened per incident.
 */
export function notificationsMigration(features: DialectFeatures): Migration {
  const { int64, identity } = columnTypes(features);

  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("notification_deliveries")
        .addColumn("id", "integer", identity)
        .addColumn("notifier", "text", (c) => c.notNull())
        .addColumn("connection", "text", (c) => c.notNull())
        .addColumn("target", "text", (c) => c.notNull())
        .addColumn("dag_id", "text", (c) => c.notNull())
        .addColumn("run_id", "text", (c) => c.notNull())
        .addColumn("task_id", "text")
        .addColumn("event", "text", (c) => c.notNull())
        .addColumn("severity", "text", (c) => c.notNull())
        .addColumn("dedup_key", "text", (c) => c.notNull())
        .addColumn("summary", "text", (c) => c.notNull())
        .addColumn("declaration", "text", (c) => c.notNull())
        .addColumn("alert", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("attempts", "integer", (c) => c.notNull())
        .addColumn("last_error", "text")
        .addColumn("next_attempt_at", int64)
        .addColumn("external_ref", "text")
        .addColumn("claimed_by", "text")
        .addColumn("claimed_until", int64)
        .addColumn("created_at", int64, (c) => c.notNull())
        .addColumn("updated_at", int64, (c) => c.notNull())
        .addColumn("delivered_at", int64)
        .execute();
      // Claims: pending rows by due time. Repeats and ordering: one incident's rows.
      await db.schema.createIndex("notification_deliveries_due_idx").on("notification_deliveries").columns(["state", "next_attempt_at"]).execute();
      await db.schema
        .createIndex("notification_deliveries_incident_idx")
        .on("notification_deliveries")
        .columns(["dedup_key", "notifier", "connection", "id"])
        .execute();
      await db.schema.createIndex("notification_deliveries_dag_idx").on("notification_deliveries").columns(["dag_id", "id"]).execute();
      await db.schema
        .createTable("notification_tickets")
        .addColumn("connection", "text", (c) => c.notNull())
        .addColumn("dedup_key", "text", (c) => c.notNull())
        .addColumn("ticket_key", "text", (c) => c.notNull())
        .addColumn("opened_at", int64, (c) => c.notNull())
        .addColumn("closed_at", int64)
        .addPrimaryKeyConstraint("notification_tickets_pk", ["connection", "dedup_key"])
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("notification_tickets").execute();
      await db.schema.dropTable("notification_deliveries").execute();
    },
  };
}
