import type { Kysely, Migration } from "kysely";
import type { DialectFeatures } from "../dialect-features.js";
import { columnTypes } from "./column-types.js";

/**
 * Missed deadlines (docs/deadlines.md): one row per run and deadline, or per task attempt that
 * ran past its expected duration. The unique key makes recording insert-if-absent, so several
 * schedulers watching the same run record its miss once. A run's deadline has task_id '' (not
 * NULL: NULLs never collide in a unique index), map_index -1 and try_number 0.
 */
export function deadlinesMigration(features: DialectFeatures): Migration {
  const { int64, identity } = columnTypes(features);

  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("missed_deadlines")
        .addColumn("id", int64, identity)
        .addColumn("dag_id", "text", (c) => c.notNull())
        .addColumn("run_id", "text", (c) => c.notNull())
        .addColumn("run_pk", int64, (c) => c.notNull())
        .addColumn("task_id", "text", (c) => c.notNull())
        .addColumn("map_index", "integer", (c) => c.notNull())
        .addColumn("try_number", "integer", (c) => c.notNull())
        .addColumn("deadline_index", "integer", (c) => c.notNull())
        .addColumn("description", "text", (c) => c.notNull())
        .addColumn("due_at", int64, (c) => c.notNull())
        .addColumn("detected_at", int64, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("missed_deadlines_key_idx")
        .on("missed_deadlines")
        .columns(["run_pk", "deadline_index", "task_id", "map_index", "try_number"])
        .unique()
        .execute();
      // The list of one DAG's misses, newest first.
      await db.schema.createIndex("missed_deadlines_dag_idx").on("missed_deadlines").columns(["dag_id", "id"]).execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("missed_deadlines").ifExists().execute();
    },
  };
}
