import { Migrator, type Kysely } from "kysely";
import { BatonError } from "../../core/errors.js";
import type { DialectFeatures } from "../dialect-features.js";
import type { Database } from "../schema/database.js";
import { BatonMigrationProvider } from "./migration-provider.js";

/** Applies pending migrations; a no-op when the schema is current. Throws naming the failed step. */
export async function migrateToLatest(db: Kysely<Database>, features: DialectFeatures): Promise<void> {
  const { error, results } = await batonMigrator(db, features).migrateToLatest();
  if (error === undefined) return;
  const failed = results?.find((r) => r.status === "Error")?.migrationName ?? "(before any migration ran)";
  const reason = error instanceof Error ? error.message : String(error);
  throw new BatonError(`Database migration ${failed} failed: ${reason}`, { cause: error });
}

/** Kysely's migrator over Baton's migrations and bookkeeping tables (tests use it to stop at a step). */
export function batonMigrator(db: Kysely<Database>, features: DialectFeatures): Migrator {
  return new Migrator({
    db,
    provider: new BatonMigrationProvider(features),
    migrationTableName: "baton_migration",
    migrationLockTableName: "baton_migration_lock",
  });
}
