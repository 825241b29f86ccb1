import type { Kysely, Migration } from "kysely";
import type { DialectFeatures } from "../dialect-features.js";
import { columnTypes } from "./column-types.js";

/**
 * Callbacks and alert policies (docs/alerts.md): `callback_claims`, one row per firing of a
 * callback event for a run, task instance and try, inserted if absent before firing (so each
 * fires once across schedulers) and then updated with how it went (the callback log); and
 * `alert_incidents`, the open incident per dedup key (repeats, recovery).
 */
export function callbacksMigration(features: DialectFeatures): Migration {
  const { int64 } = columnTypes(features);
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("callback_claims")
        .addColumn("run_pk", "integer", (c) => c.notNull())
        .addColumn("task_id", "text", (c) => c.notNull())
        .addColumn("map_index", "integer", (c) => c.notNull())
        .addColumn("try_number", "integer", (c) => c.notNull())
        .addColumn("event", "text", (c) => c.notNull())
        .addColumn("dag_id", "text", (c) => c.notNull())
        .addColumn("run_id", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("message", "text")
        .addColumn("claimed_by", "text", (c) => c.notNull())
        .addColumn("claimed_at", int64, (c) => c.notNull())
        .addColumn("finished_at", int64)
        .addPrimaryKeyConstraint("callback_claims_pk", ["run_pk", "task_id", "map_index", "try_number", "event"])
        .execute();
      await db.schema.createIndex("callback_claims_dag_idx").on("callback_claims").columns(["dag_id", "claimed_at"]).execute();
      await db.schema
        .createTable("alert_incidents")
        .addColumn("dedup_key", "text", (c) => c.primaryKey())
        .addColumn("dag_id", "text", (c) => c.notNull())
        .addColumn("opened_at", int64, (c) => c.notNull())
        .addColumn("last_alert_at", int64, (c) => c.notNull())
        .addColumn("alerts", "integer", (c) => c.notNull())
        .addColumn("targets", "text", (c) => c.notNull())
        .addColumn("resolved_at", int64)
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("alert_incidents").execute();
      await db.schema.dropTable("callback_claims").execute();
    },
  };
}
