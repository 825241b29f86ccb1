import type { Kysely, Migration } from "kysely";
import type { DialectFeatures } from "../dialect-features.js";
import { columnTypes } from "./column-types.js";

/**
 * Sensors in reschedule and deferred mode: per task instance, the first poke of its current try
 * (the sensor's timeout spans reschedules), the pokes made, and the deferred check (JSON), all
 * null for other task instances.
 */
export function sensorWaitsMigration(features: DialectFeatures): Migration {
  const { int64 } = columnTypes(features);

  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable("task_instances").addColumn("first_poke_at", int64).execute();
      await db.schema.alterTable("task_instances").addColumn("poke_count", "integer").execute();
      await db.schema.alterTable("task_instances").addColumn("trigger_spec", "text").execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      for (const column of ["trigger_spec", "poke_count", "first_poke_at"]) {
        await db.schema.alterTable("task_instances").dropColumn(column).execute();
      }
    },
  };
}
