import type { Kysely, Migration } from "kysely";
import type { DialectFeatures } from "../dialect-features.js";
import { columnTypes } from "./column-types.js";

/**
 * The command inbox (requests the scheduler applies to runs) and authentication: users, API
 * tokens, login sessions. Tokens and sessions go with their user (ON DELETE CASCADE).
 */
export function commandsAndAuthMigration(features: DialectFeatures): Migration {
  const { int64, identity } = columnTypes(features);

  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("commands")
        .addColumn("id", int64, identity)
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("payload", "text", (c) => c.notNull())
        .addColumn("requested_by", "text")
        .addColumn("created_at", int64, (c) => c.notNull())
        .addColumn("applied_at", int64)
        .addColumn("result", "text")
        .execute();
      // The pending scan: `WHERE applied_at IS NULL ORDER BY id LIMIT n` reads the index in order.
      await db.schema.createIndex("commands_applied_at_id_idx").on("commands").columns(["applied_at", "id"]).execute();

      await db.schema
        .createTable("users")
        .addColumn("username", "text", (c) => c.primaryKey())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("password_hash", "text", (c) => c.notNull())
        .addColumn("disabled", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("created_at", int64, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable("api_tokens")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("username", "text", (c) => c.notNull().references("users.username").onDelete("cascade"))
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("role", "text", (c) => c.notNull())
        .addColumn("secret_hash", "text", (c) => c.notNull())
        .addColumn("created_at", int64, (c) => c.notNull())
        .addColumn("expires_at", int64)
        .addColumn("last_used_at", int64)
        .execute();
      // Listing a user's tokens, and the cascade from users (PostgreSQL does not index FKs itself).
      await db.schema.createIndex("api_tokens_username_idx").on("api_tokens").column("username").execute();

      await db.schema
        .createTable("sessions")
        .addColumn("id_hash", "text", (c) => c.primaryKey())
        .addColumn("username", "text", (c) => c.notNull().references("users.username").onDelete("cascade"))
        .addColumn("csrf_token", "text", (c) => c.notNull())
        .addColumn("created_at", int64, (c) => c.notNull())
        .addColumn("expires_at", int64, (c) => c.notNull())
        .execute();
      await db.schema.createIndex("sessions_username_idx").on("sessions").column("username").execute();
      await db.schema.createIndex("sessions_expires_at_idx").on("sessions").column("expires_at").execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      for (const table of ["sessions", "api_tokens", "users", "commands"]) {
        await db.schema.dropTable(table).ifExists().execute();
      }
    },
  };
}
