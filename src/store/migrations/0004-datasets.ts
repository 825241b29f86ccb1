import type { Kysely, Migration } from "kysely";
import type { DialectFeatures } from "../dialect-features.js";
import { columnTypes } from "./column-types.js";

/**
 * Dataset events (a task with outlets succeeded, or an external update) and, per
 * dataset-scheduled DAG, the newest event id it has consumed.
 */
export function datasetsMigration(features: DialectFeatures): Migration {
  const { int64, identity } = columnTypes(features);

  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("dataset_events")
        .addColumn("id", int64, identity)
        .addColumn("uri", "text", (c) => c.notNull())
        .addColumn("source_dag_id", "text")
        .addColumn("source_run_id", "text")
        .addColumn("source_task_id", "text")
        .addColumn("source_try_number", "integer")
        .addColumn("extra", "text", (c) => c.notNull())
        .addColumn("created_at", int64, (c) => c.notNull())
        .execute();
      // Latest events of a dataset (`WHERE uri = ? ORDER BY id DESC`) and the per-URI max id.
      await db.schema.createIndex("dataset_events_uri_id_idx").on("dataset_events").columns(["uri", "id"]).execute();
      // One event per dataset and task attempt: recording again after a failed commit is a no-op.
      // NULLs are distinct in unique indexes on both engines, so external events never collide.
      await db.schema
        .createIndex("dataset_events_source_idx")
        .on("dataset_events")
        .columns(["uri", "source_dag_id", "source_run_id", "source_task_id", "source_try_number"])
        .unique()
        .execute();

      await db.schema
        .createTable("dataset_cursors")
        .addColumn("dag_id", "text", (c) => c.primaryKey())
        .addColumn("last_event_id", int64, (c) => c.notNull())
        .addColumn("updated_at", int64, (c) => c.notNull())
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      for (const table of ["dataset_cursors", "dataset_events"]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
