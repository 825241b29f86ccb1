import type { Kysely, Migration } from "kysely";
import type { DialectFeatures } from "../dialect-features.js";
import { columnTypes } from "./column-types.js";

/**
 * Remote workers (docs/adr/0008-remote-workers.md): `worker_tokens`, the credentials workers
 * connect with (the secret's sha256 only); `workers`, one row per `baton worker` process;
 * `remote_attempts`, the mailbox of attempts in flight between the scheduler that owns a run and
 * the API server a worker is connected to (request and outcome as JSON text); `dag_bundles`, the
 * compiled DAG code workers fetch by its sha256. `task_attempts.worker` names the remote worker
 * that ran an attempt (null for the local pool).
 */
export function remoteWorkersMigration(features: DialectFeatures): Migration {
  const { int64 } = columnTypes(features);
  return {
    async up(db: Kysely<any>): Promise<void> {
      await db.schema
        .createTable("worker_tokens")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("secret_hash", "text", (c) => c.notNull())
        // JSON text of a string array; null: any queue.
        .addColumn("queues", "text")
        .addColumn("created_by", "text")
        .addColumn("created_at", int64, (c) => c.notNull())
        .addColumn("last_seen_at", int64)
        .addColumn("revoked_at", int64)
        .execute();

      await db.schema
        .createTable("workers")
        .addColumn("id", "text", (c) => c.primaryKey())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("host", "text", (c) => c.notNull())
        .addColumn("pid", "integer", (c) => c.notNull())
        .addColumn("token_id", "text", (c) => c.notNull())
        // JSON text of a string array.
        .addColumn("queues", "text", (c) => c.notNull())
        .addColumn("concurrency", "integer", (c) => c.notNull())
        .addColumn("running", "integer", (c) => c.notNull())
        .addColumn("version", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("started_at", int64, (c) => c.notNull())
        .addColumn("last_seen_at", int64, (c) => c.notNull())
        .addColumn("state_changed_at", int64, (c) => c.notNull())
        .addColumn("reason", "text")
        .execute();
      // Lost-worker sweeps: live workers by last contact.
      await db.schema.createIndex("workers_state_seen_idx").on("workers").columns(["state", "last_seen_at"]).execute();

      await db.schema
        .createTable("remote_attempts")
        .addColumn("attempt_id", "text", (c) => c.primaryKey())
        .addColumn("run_pk", int64, (c) => c.notNull())
        .addColumn("scheduler_id", "text", (c) => c.notNull())
        .addColumn("queue", "text", (c) => c.notNull())
        // JSON text of the AttemptRequest.
        .addColumn("request", "text", (c) => c.notNull())
        .addColumn("state", "text", (c) => c.notNull())
        .addColumn("worker_id", "text")
        .addColumn("cancel_reason", "text")
        .addColumn("created_at", int64, (c) => c.notNull())
        .addColumn("assigned_at", int64)
        .addColumn("started_at", int64)
        .addColumn("ended_at", int64)
        .addColumn("pid", "integer")
        // JSON text of the AttemptOutcome, once finished.
        .addColumn("outcome", "text")
        .execute();
      // Claims: the oldest queued attempts of some queues.
      await db.schema.createIndex("remote_attempts_claim_idx").on("remote_attempts").columns(["state", "queue", "created_at"]).execute();
      // A scheduler taking its outcomes; releases of a fenced scheduler's rows.
      await db.schema.createIndex("remote_attempts_scheduler_idx").on("remote_attempts").columns(["scheduler_id", "state"]).execute();
      // A worker's attempts: reconnects, cancels, lost-worker sweeps.
      await db.schema.createIndex("remote_attempts_worker_idx").on("remote_attempts").columns(["worker_id", "state"]).execute();
      // Releases of adopted runs.
      await db.schema.createIndex("remote_attempts_run_idx").on("remote_attempts").columns(["run_pk"]).execute();

      await db.schema
        .createTable("dag_bundles")
        .addColumn("sha256", "text", (c) => c.primaryKey())
        .addColumn("code", "text", (c) => c.notNull())
        .addColumn("created_at", int64, (c) => c.notNull())
        .execute();

      await db.schema.alterTable("task_attempts").addColumn("worker", "text").execute();
    },

    async down(db: Kysely<any>): Promise<void> {
      await db.schema.alterTable("task_attempts").dropColumn("worker").execute();
      await db.schema.dropTable("dag_bundles").ifExists().execute();
      await db.schema.dropTable("remote_attempts").ifExists().execute();
      await db.schema.dropTable("workers").ifExists().execute();
      await db.schema.dropTable("worker_tokens").ifExists().execute();
    },
  };
}
