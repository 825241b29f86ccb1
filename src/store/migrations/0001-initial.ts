import type { Kysely, Migration } from "kysely";
import type { DialectFeatures } from "../dialect-features.js";
import { columnTypes } from "./column-types.js";

/**
 * The initial schema, one definition for every dialect: differences are decided by
 * {@link DialectFeatures}, never by the dialect's name. Never edit a released migration; add
 * `0002-….ts` instead and list it in migration-provider.ts.
 */
export function initialMigration(features: DialectFeatures): Migration {
  const { int64, identity } = columnTypes(features);

  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("dags")
        .addColumn("dag_id", "text", (c) => c.primaryKey())
        .addColumn("fileloc", "text", (c) => c.notNull())
        .addColumn("paused", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("active", "integer", (c) => c.notNull().defaultTo(1))
        .addColumn("latest_version", "text", (c) => c.notNull())
        .addColumn("last_scheduled_logical_date", int64)
        .addColumn("created_at", int64, (c) => c.notNull())
        .addColumn("updated_at", int64, (c) => c.notNull())
        .execute();
      await db.schema.createIndex("dags_fileloc_idx").on("dags").column("fileloc").execute();

      await db.schema
        .createTable("dag_versions")
        .addColumn("version_hash", "text", (c) => c.primaryKey())
        .addColumn("dag_id", "text", (c) => c.notNull())
        .addColumn("spec", "text", (c) => c.notNull())
        .addColumn("source", "text", (c) => c.notNull())
        .addColumn("bundle_path", "text", (c) => c.notNull())
        .addColumn("created_at", int64, (c) => c.notNull())
        .execute();
      await db.schema.createIndex("dag_versions_dag_id_idx").on("dag_versions").column("dag_id").execute();

      await db.schema
        .createTable("import_errors")
        .addColumn("id", int64, identity)
        .addColumn("file", "text", (c) => c.notNull())
        .addColumn("line_number", "integer")
        .addColumn("column_number", "integer")
        .addColumn("message", "text", (c) => c.notNull())
        .addColumn("at", int64, (c) => c.notNull())
        .execute();
      await db.schema.createIndex("import_errors_file_idx").on("import_errors").column("file").execute();

      await db.schema
        .createTable("backfills")
        .addColumn("id", int64, identity)
        .addColumn("dag_id", "text", (c) => c.notNull())
        .addColumn("from_date", int64, (c) => c.notNull())
        .addColumn("to_date", int64, (c) => c.notNull())
        .addColumn("reprocess", "text", (c) => c.notNull())
        .addColumn("max_active_runs", "integer", (c) => c.notNull())
        .addColumn("conf", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("created_at", int64, (c) => c.notNull())
        .addColumn("ended_at", int64)
        .execute();
      await db.schema.createIndex("backfills_dag_id_idx").on("backfills").column("dag_id").execute();

      await db.schema
        .createTable("dag_runs")
        .addColumn("id", int64, identity)
        .addColumn("dag_id", "text", (c) => c.notNull())
        .addColumn("run_id", "text", (c) => c.notNull())
        .addColumn("run_type", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("logical_date", int64)
        .addColumn("data_interval_start", int64)
        .addColumn("data_interval_end", int64)
        .addColumn("run_after", int64, (c) => c.notNull())
        .addColumn("conf", "text", (c) => c.notNull())
        .addColumn("dag_version", "text", (c) => c.notNull())
        .addColumn("backfill_id", int64, (c) => c.references("backfills.id"))
        .addColumn("started_at", int64)
        .addColumn("ended_at", int64)
        .addColumn("note", "text")
        .addColumn("created_at", int64, (c) => c.notNull())
        .addUniqueConstraint("dag_runs_dag_id_run_id_key", ["dag_id", "run_id"])
        .execute();
      await db.schema.createIndex("dag_runs_dag_id_logical_date_idx").on("dag_runs").columns(["dag_id", "logical_date"]).execute();
      await db.schema.createIndex("dag_runs_state_idx").on("dag_runs").column("state").execute();
      await db.schema.createIndex("dag_runs_backfill_id_idx").on("dag_runs").column("backfill_id").execute();

      await db.schema
        .createTable("task_instances")
        .addColumn("run_pk", int64, (c) => c.notNull())
        .addColumn("task_id", "text", (c) => c.notNull())
        .addColumn("map_index", "integer", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("try_number", "integer", (c) => c.notNull())
        .addColumn("max_tries", "integer", (c) => c.notNull())
        .addColumn("priority", "integer", (c) => c.notNull())
        .addColumn("pool", "text", (c) => c.notNull())
        .addColumn("pool_slots", "integer", (c) => c.notNull())
        .addColumn("queued_at", int64)
        .addColumn("started_at", int64)
        .addColumn("ended_at", int64)
        .addColumn("next_retry_at", int64)
        .addColumn("output", "text")
        .addColumn("error", "text")
        .addColumn("followed", "text")
        .addColumn("updated_at", int64, (c) => c.notNull())
        .addPrimaryKeyConstraint("task_instances_pk", ["run_pk", "task_id", "map_index"])
        .addForeignKeyConstraint("task_instances_run_fk", ["run_pk"], "dag_runs", ["id"], (fk) => fk.onDelete("cascade"))
        .execute();
      await db.schema.createIndex("task_instances_state_idx").on("task_instances").column("state").execute();

      await db.schema
        .createTable("task_attempts")
        .addColumn("run_pk", int64, (c) => c.notNull())
        .addColumn("task_id", "text", (c) => c.notNull())
        .addColumn("map_index", "integer", (c) => c.notNull())
        .addColumn("try_number", "integer", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("started_at", int64)
        .addColumn("ended_at", int64)
        .addColumn("error", "text")
        .addColumn("log_path", "text")
        .addColumn("pid", "integer")
        .addPrimaryKeyConstraint("task_attempts_pk", ["run_pk", "task_id", "map_index", "try_number"])
        .addForeignKeyConstraint(
          "task_attempts_task_instance_fk",
          ["run_pk", "task_id", "map_index"],
          "task_instances",
          ["run_pk", "task_id", "map_index"],
          (fk) => fk.onDelete("cascade"),
        )
        .execute();

      await db.schema
        .createTable("pools")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("slots", "integer", (c) => c.notNull())
        .addColumn("description", "text", (c) => c.notNull().defaultTo(""))
        .execute();
      await db.insertInto("pools").values({ name: "default_pool", slots: 128, description: "Default pool" }).execute();

      await db.schema
        .createTable("heartbeats")
        .addColumn("component", "text", (c) => c.notNull())
        .addColumn("id", "text", (c) => c.notNull())
        .addColumn("at", int64, (c) => c.notNull())
        .addPrimaryKeyConstraint("heartbeats_pk", ["component", "id"])
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      for (const table of ["heartbeats", "pools", "task_attempts", "task_instances", "dag_runs", "backfills", "import_errors", "dag_versions", "dags"]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
