import type { CreateTableBuilder, Kysely, Migration } from "kysely";
import type { DialectFeatures } from "../dialect-features.js";
import { columnTypes } from "./column-types.js";

/**
 * Anomaly detection (docs/anomalies.md): `task_metrics` holds each successful attempt's values
 * (duration and `ctx.metric`), one row per name; `anomalies` the values found far outside their
 * baseline, with the evidence. Both unique per attempt and name, so several schedulers record once.
 */
export function anomaliesMigration(features: DialectFeatures): Migration {
  const { int64, identity } = columnTypes(features);
  const attemptColumns = (t: CreateTableBuilder<any, any>): CreateTableBuilder<any, any> =>
    t
      .addColumn("dag_id", "text", (c) => c.notNull())
      .addColumn("task_id", "text", (c) => c.notNull())
      .addColumn("run_id", "text", (c) => c.notNull())
      .addColumn("run_pk", int64, (c) => c.notNull())
      .addColumn("map_index", "integer", (c) => c.notNull())
      .addColumn("try_number", "integer", (c) => c.notNull())
      .addColumn("metric", "text", (c) => c.notNull())
      .addColumn("value", "double precision", (c) => c.notNull());

  return {
    async up(db: Kysely<any>): Promise<void> {
      await attemptColumns(db.schema.createTable("task_metrics").addColumn("id", int64, identity))
        .addColumn("at", int64, (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex("task_metrics_key_idx")
        .on("task_metrics")
        .columns(["run_pk", "task_id", "map_index", "try_number", "metric"])
        .unique()
        .execute();
      // A task's history of one metric, newest first.
      await db.schema.createIndex("task_metrics_history_idx").on("task_metrics").columns(["dag_id", "task_id", "metric", "at"]).execute();

      await attemptColumns(db.schema.createTable("anomalies").addColumn("id", int64, identity))
        .addColumn("median", "double precision", (c) => c.notNull())
        .addColumn("mad", "double precision", (c) => c.notNull())
        .addColumn("score", "double precision", (c) => c.notNull())
        .addColumn("points", "integer", (c) => c.notNull())
        .addColumn("season", "text", (c) => c.notNull())
        .addColumn("detected_at", int64, (c) => c.notNull())
        .execute();
      await db.schema.createIndex("anomalies_key_idx").on("anomalies").columns(["run_pk", "task_id", "map_index", "try_number", "metric"]).unique().execute();
      await db.schema.createIndex("anomalies_dag_idx").on("anomalies").columns(["dag_id", "id"]).execute();
      await db.schema.createIndex("anomalies_detected_idx").on("anomalies").columns(["detected_at"]).execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("anomalies").ifExists().execute();
      await db.schema.dropTable("task_metrics").ifExists().execute();
    },
  };
}
