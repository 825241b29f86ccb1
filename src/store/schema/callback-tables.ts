/** Callback claims, which are also the callback log (0010); task_id "" for a run-level callback. */
export interface CallbackClaimsTable {
  run_pk: number;
  task_id: string;
  map_index: number;
  try_number: number;
  event: string;
  dag_id: string;
  run_id: string;
  status: string;
  message: string | null;
  claimed_by: string;
  claimed_at: number;
  finished_at: number | null;
}

/** Alert incidents by dedup key (0010); `targets` is JSON text of NotifierDeclaration[]. */
export interface AlertIncidentsTable {
  dedup_key: string;
  dag_id: string;
  opened_at: number;
  last_alert_at: number;
  alerts: number;
  targets: string;
  resolved_at: number | null;
}
