/**
 * A named connection to an external system (Airflow's Connection). Secrets (password, and
 * extras named like secrets) never leave the store unencrypted except to the task that asks.
 */
export interface Connection {
  id: string;
  /** URI scheme: postgres, mysql, http, https, s3, smtp, amqp, nats, redis, mqtt, sqlite, duckdb… */
  type: string;
  host: string | null;
  port: number | null;
  login: string | null;
  password: string | null;
  /** Database name / path / bucket, depending on the type. */
  schema: string | null;
  extra: Record<string, string>;
}
