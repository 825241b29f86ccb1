import type { Kysely, Migration } from "kysely";
import type { DialectFeatures } from "../dialect-features.js";
import { columnTypes } from "./column-types.js";

/**
 * Several active schedulers (docs/adr/0007): a lease per scheduler process (a beat counter others
 * watch on their own clocks, and the fence that ends it), the owner of each DAG, and the pool
 * slots granted to each scheduler.
 */
export function schedulerLeasesMigration(features: DialectFeatures): Migration {
  const { int64 } = columnTypes(features);

  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("scheduler_leases")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("host", "text", (c) => c.notNull())
        .addColumn("pid", "integer", (c) => c.notNull())
        .addColumn("version", "text", (c) => c.notNull())
        .addColumn("started_at", int64, (c) => c.notNull())
        .addColumn("beat", int64, (c) => c.notNull())
        .addColumn("beat_at", int64, (c) => c.notNull())
        .addColumn("fenced_at", int64)
        .addColumn("fenced_by", "text")
        .execute();
      await db.schema.alterTable("dags").addColumn("owner_id", "text").execute();
      await db.schema.createIndex("dags_owner_idx").on("dags").column("owner_id").execute();
      await db.schema
        .createTable("pool_grants")
        .addColumn("pool", "text", (c) => c.notNull())
        .addColumn("scheduler_id", "text", (c) => c.notNull())
        .addColumn("slots", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("pool_grants_pk", ["pool", "scheduler_id"])
        .execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.dropTable("pool_grants").execute();
      await db.schema.dropIndex("dags_owner_idx").execute();
      await db.schema.alterTable("dags").dropColumn("owner_id").execute();
      await db.schema.dropTable("scheduler_leases").execute();
    },
  };
}
