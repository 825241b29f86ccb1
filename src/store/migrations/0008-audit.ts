import type { Kysely, Migration } from "kysely";
import type { DialectFeatures } from "../dialect-features.js";
import { columnTypes } from "./column-types.js";

/**
 * The audit trail (docs/audit.md): one append-only row per change, with who, what, when, the
 * target and before/after values as JSON text (never a secret). And `dag_runs.triggered_by`:
 * who asked for a manual run (null for runs the scheduler created on its own, and before 0008).
 */
export function auditMigration(features: DialectFeatures): Migration {
  const { int64, identity } = columnTypes(features);

  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("audit_log")
        .addColumn("id", int64, identity)
        .addColumn("at", int64, (c) => c.notNull())
        .addColumn("actor", "text", (c) => c.notNull())
        .addColumn("via", "text", (c) => c.notNull())
        .addColumn("token_id", "text")
        .addColumn("action", "text", (c) => c.notNull())
        .addColumn("target_type", "text")
        .addColumn("target_id", "text")
        .addColumn("dag_id", "text")
        .addColumn("before", "text")
        .addColumn("after", "text")
        .addColumn("details", "text")
        .execute();
      // Pruning by age and since/until; each filter walks its own index newest first.
      await db.schema.createIndex("audit_log_at_idx").on("audit_log").columns(["at"]).execute();
      await db.schema.createIndex("audit_log_actor_idx").on("audit_log").columns(["actor", "id"]).execute();
      await db.schema.createIndex("audit_log_action_idx").on("audit_log").columns(["action", "id"]).execute();
      await db.schema.createIndex("audit_log_dag_idx").on("audit_log").columns(["dag_id", "id"]).execute();
      await db.schema.createIndex("audit_log_target_idx").on("audit_log").columns(["target_id", "id"]).execute();

      await db.schema.alterTable("dag_runs").addColumn("triggered_by", "text").execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable("dag_runs").dropColumn("triggered_by").execute();
      await db.schema.dropTable("audit_log").ifExists().execute();
    },
  };
}
