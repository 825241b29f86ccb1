/** Worker tokens (0013): the secret's sha256 only; `queues` is JSON text of a string array, null for any. */
export interface WorkerTokensTable {
  id: string;
  name: string;
  secret_hash: string;
  queues: string | null;
  created_by: string | null;
  created_at: number;
  last_seen_at: number | null;
  revoked_at: number | null;
}

/** One `baton worker` process (0013); `queues` is JSON text of a string array. */
export interface WorkersTable {
  id: string;
  name: string;
  host: string;
  pid: number;
  token_id: string;
  queues: string;
  concurrency: number;
  running: number;
  version: string;
  state: string;
  started_at: number;
  last_seen_at: number;
  state_changed_at: number;
  reason: string | null;
}

/** The mailbox of remote attempts (0013); `request` and `outcome` are JSON text. */
export interface RemoteAttemptsTable {
  attempt_id: string;
  run_pk: number;
  /** "" once orphaned (its scheduler released it). */
  scheduler_id: string;
  queue: string;
  request: string;
  state: string;
  worker_id: string | null;
  cancel_reason: string | null;
  created_at: number;
  assigned_at: number | null;
  started_at: number | null;
  ended_at: number | null;
  pid: number | null;
  outcome: string | null;
}

/** Compiled DAG bundles by the sha256 of their code (0013). */
export interface DagBundlesTable {
  sha256: string;
  code: string;
  created_at: number;
}
