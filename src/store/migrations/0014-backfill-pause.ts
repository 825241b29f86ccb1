import type { Kysely, Migration } from "kysely";
import type { DialectFeatures } from "../dialect-features.js";

/**
 * A backfill can be paused (Airflow 3's `backfill.is_paused`, docs/scheduling.md#pausing-a-backfill):
 * `backfills.paused` (0/1), read by every scheduler where it pages a backfill's queued runs.
 * Existing backfills start unpaused.
 */
export function backfillPauseMigration(_features: DialectFeatures): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .alterTable("backfills")
        .addColumn("paused", "integer", (c) => c.notNull().defaultTo(0))
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable("backfills").dropColumn("paused").execute();
    },
  };
}
