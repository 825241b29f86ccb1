import type { Generated } from "kysely";

/** The notification outbox (0009); JSON columns are text, times epoch ms. */
export interface NotificationDeliveriesTable {
  id: Generated<number>;
  notifier: string;
  connection: string;
  target: string;
  dag_id: string;
  run_id: string;
  task_id: string | null;
  event: string;
  severity: string;
  dedup_key: string;
  summary: string;
  /** JSON text of the NotifierDeclaration. */
  declaration: string;
  /** JSON text of the AlertContext. */
  alert: string;
  state: string;
  attempts: number;
  last_error: string | null;
  next_attempt_at: number | null;
  external_ref: string | null;
  /** The process delivering it, until `claimed_until`. */
  claimed_by: string | null;
  claimed_until: number | null;
  created_at: number;
  updated_at: number;
  delivered_at: number | null;
}

/** A helpdesk ticket per incident (0009). */
export interface NotificationTicketsTable {
  connection: string;
  dedup_key: string;
  ticket_key: string;
  opened_at: number;
  closed_at: number | null;
}
