import type { Generated } from "kysely";
import type { AnomaliesTable, TaskMetricsTable } from "./anomaly-tables.js";
import type { AlertIncidentsTable, CallbackClaimsTable } from "./callback-tables.js";
import type { MissedDeadlinesTable } from "./deadline-tables.js";
import type { NotificationDeliveriesTable, NotificationTicketsTable } from "./notification-tables.js";
import type { DagBundlesTable, RemoteAttemptsTable, WorkersTable, WorkerTokensTable } from "./worker-tables.js";

/**
 * Kysely's view of Baton's tables. Column names are snake_case; the adapter maps rows to the
 * camelCase records of src/core/model/records.ts (see src/store/rows/).
 *
 * Representation, identical on SQLite and PostgreSQL:
 * - times are epoch milliseconds in 64-bit integer columns (INTEGER / BIGINT), null when unset;
 * - booleans are integers 0/1;
 * - JSON values (specs, conf, `followed`, command payloads) are text, encoded and decoded by the adapter.
 */
export interface Database {
  dags: DagsTable;
  dag_versions: DagVersionsTable;
  import_errors: ImportErrorsTable;
  import_warnings: ImportWarningsTable;
  dag_runs: DagRunsTable;
  task_instances: TaskInstancesTable;
  task_attempts: TaskAttemptsTable;
  pools: PoolsTable;
  backfills: BackfillsTable;
  heartbeats: HeartbeatsTable;
  commands: CommandsTable;
  users: UsersTable;
  api_tokens: ApiTokensTable;
  sessions: SessionsTable;
  connections: ConnectionsTable;
  variables: VariablesTable;
  dataset_events: DatasetEventsTable;
  dataset_cursors: DatasetCursorsTable;
  scheduler_leases: SchedulerLeasesTable;
  pool_grants: PoolGrantsTable;
  callback_claims: CallbackClaimsTable;
  alert_incidents: AlertIncidentsTable;
  missed_deadlines: MissedDeadlinesTable;
  audit_log: AuditLogTable;
  notification_deliveries: NotificationDeliveriesTable;
  notification_tickets: NotificationTicketsTable;
  task_metrics: TaskMetricsTable;
  anomalies: AnomaliesTable;
  worker_tokens: WorkerTokensTable;
  workers: WorkersTable;
  remote_attempts: RemoteAttemptsTable;
  dag_bundles: DagBundlesTable;
}

/** 0 = false, 1 = true. */
export type IntBool = 0 | 1;

export interface DagsTable {
  dag_id: string;
  fileloc: string;
  paused: IntBool;
  active: IntBool;
  latest_version: string;
  last_scheduled_logical_date: number | null;
  created_at: number;
  updated_at: number;
  /** The scheduler lease that owns the DAG (0006), null when none does. */
  owner_id: string | null;
}

export interface DagVersionsTable {
  version_hash: string;
  dag_id: string;
  /** JSON text of the DagSpec. */
  spec: string;
  source: string;
  bundle_path: string;
  created_at: number;
}

/** The background type check's findings (0015): never refuse a DAG. */
export interface ImportWarningsTable {
  id: Generated<number>;
  file: string;
  line_number: number | null;
  column_number: number | null;
  /** TypeScript's diagnostic code (e.g. 2322), null when none. */
  code: number | null;
  message: string;
  at: number;
}

export interface ImportErrorsTable {
  id: Generated<number>;
  file: string;
  line_number: number | null;
  column_number: number | null;
  message: string;
  at: number;
}

export interface DagRunsTable {
  id: Generated<number>;
  dag_id: string;
  run_id: string;
  run_type: string;
  state: string;
  logical_date: number | null;
  data_interval_start: number | null;
  data_interval_end: number | null;
  run_after: number;
  /** JSON text. */
  conf: string;
  dag_version: string;
  backfill_id: number | null;
  started_at: number | null;
  ended_at: number | null;
  note: string | null;
  created_at: number;
  /** Who asked for the run (migration 0008); null when the scheduler created it on its own. */
  triggered_by: string | null;
}

export interface TaskInstancesTable {
  run_pk: number;
  task_id: string;
  map_index: number;
  state: string;
  try_number: number;
  max_tries: number;
  /** Tries the machine failed, not counted against max_tries (0007). */
  infra_tries: number;
  priority: number;
  pool: string;
  pool_slots: number;
  queued_at: number | null;
  started_at: number | null;
  ended_at: number | null;
  next_retry_at: number | null;
  output: string | null;
  error: string | null;
  /** JSON text of a string array, or null. */
  followed: string | null;
  /** Sensors in reschedule/deferred mode (0005): first poke of the try, pokes, deferred check (JSON). */
  first_poke_at: number | null;
  poke_count: number | null;
  trigger_spec: string | null;
  updated_at: number;
}

export interface TaskAttemptsTable {
  run_pk: number;
  task_id: string;
  map_index: number;
  try_number: number;
  state: string;
  started_at: number | null;
  ended_at: number | null;
  error: string | null;
  log_path: string | null;
  pid: number | null;
  /** The remote worker that ran the attempt (0013); null for the local pool. */
  worker: string | null;
}

export interface PoolsTable {
  name: string;
  slots: number;
  description: string;
}

export interface BackfillsTable {
  id: Generated<number>;
  dag_id: string;
  from_date: number;
  to_date: number;
  reprocess: string;
  max_active_runs: number;
  /** JSON text. */
  conf: string;
  state: string;
  /** 0/1 (0014): the scheduler starts none of its queued runs while 1. */
  paused: IntBool;
  created_at: number;
  ended_at: number | null;
}

export interface HeartbeatsTable {
  component: string;
  id: string;
  at: number;
}

export interface CommandsTable {
  id: Generated<number>;
  kind: string;
  /** JSON text of the kind's payload. */
  payload: string;
  requested_by: string | null;
  created_at: number;
  /** Null while pending. */
  applied_at: number | null;
  result: string | null;
}

export interface UsersTable {
  username: string;
  role: string;
  password_hash: string;
  disabled: IntBool;
  created_at: number;
}

export interface ApiTokensTable {
  id: string;
  username: string;
  name: string;
  role: string;
  secret_hash: string;
  created_at: number;
  expires_at: number | null;
  last_used_at: number | null;
}

export interface SessionsTable {
  id_hash: string;
  username: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
}

/** Secrets are ciphertext (`v1:iv:tag:data`); id and type are in clear. */
export interface ConnectionsTable {
  id: string;
  type: string;
  encrypted: string;
  description: string;
  updated_at: number;
}

export interface VariablesTable {
  key: string;
  encrypted: string;
  description: string;
  updated_at: number;
}

/** Source columns are all null for an external event, all set for one from a task attempt. */
export interface DatasetEventsTable {
  id: Generated<number>;
  uri: string;
  source_dag_id: string | null;
  source_run_id: string | null;
  source_task_id: string | null;
  source_try_number: number | null;
  /** JSON text of the event's `extra` object. */
  extra: string;
  created_at: number;
}

export interface DatasetCursorsTable {
  dag_id: string;
  last_event_id: number;
  updated_at: number;
}

/** One scheduler process (0006); never reused: a restarted scheduler registers a new id. */
export interface SchedulerLeasesTable {
  id: string;
  host: string;
  pid: number;
  version: string;
  started_at: number;
  /** Incremented by each heartbeat; observers time it on their own clocks. */
  beat: number;
  /** The scheduler's own clock at its last beat (shown to operators, never compared across machines). */
  beat_at: number;
  fenced_at: number | null;
  fenced_by: string | null;
}

/** Pool slots a scheduler may occupy (0006). */
export interface PoolGrantsTable {
  pool: string;
  scheduler_id: string;
  slots: number;
}

/** The audit trail (migration 0008): append-only; JSON objects as text. */
export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  actor: string;
  via: string;
  token_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  dag_id: string | null;
  before: string | null;
  after: string | null;
  details: string | null;
}
