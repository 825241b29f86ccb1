import type { AlertContext, AlertEvent, AlertSeverity, NotifierDeclaration, NotifierKind } from "../model/alerts.js";
import type { EpochMs } from "../model/records.js";

/**
 * The notification outbox's table (docs/alerts.md#notifiers): one row per alert a notifier must
 * deliver, claimed by one process at a time, retried with backoff, kept for the API and the UI.
 */
export type DeliveryState = "pending" | "delivered" | "failed";

export const DELIVERY_STATES: readonly DeliveryState[] = ["pending", "delivered", "failed"];

export interface NotificationDelivery {
  id: number;
  notifier: NotifierKind;
  connection: string;
  /** Where it goes, without secrets: the connection id until the first attempt, then e.g. `hooks.slack.com`. */
  target: string;
  dagId: string;
  runId: string;
  taskId: string | null;
  event: AlertEvent;
  severity: AlertSeverity;
  dedupKey: string;
  /** One line saying what the message says (no secrets). */
  summary: string;
  declaration: NotifierDeclaration;
  alert: AlertContext;
  state: DeliveryState;
  /** Attempts made so far. */
  attempts: number;
  lastError: string | null;
  /** When a pending delivery is next tried; null once it ended. */
  nextAttemptAt: EpochMs | null;
  /** What the service answered that identifies the message (a Jira issue key, an Opsgenie request id), when any. */
  externalRef: string | null;
  createdAt: EpochMs;
  updatedAt: EpochMs;
  deliveredAt: EpochMs | null;
}

export interface NewDelivery {
  declaration: NotifierDeclaration;
  alert: AlertContext;
  summary: string;
  createdAt: EpochMs;
}

/** How an attempt ended, as the claimer records it. */
export interface DeliveryOutcome {
  state: DeliveryState;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: EpochMs | null;
  target: string;
  externalRef: string | null;
  at: EpochMs;
}

export interface DeliveryFilter {
  dagId?: string;
  states?: DeliveryState[];
  /** Only deliveries with a smaller id (the next page). */
  beforeId?: number;
  limit: number;
}

/** A helpdesk ticket opened for an incident (Jira): comments and the close go to it. */
export interface NotificationTicket {
  connection: string;
  dedupKey: string;
  ticketKey: string;
  openedAt: EpochMs;
  closedAt: EpochMs | null;
}

export interface NotificationStore {
  /**
   * Records a pending delivery due at `createdAt`, unless the latest delivery of its incident
   * (same notifier, connection and dedup key) has the same event and was recorded at or after
   * `repeatSince`: then nothing is written and null is returned (a repeat). So a failure, its
   * recovery and a new failure are three deliveries; the same failure twice in the window is one.
   */
  addDelivery(delivery: NewDelivery, repeatSince: EpochMs): Promise<NotificationDelivery | null>;
  /**
   * Claims up to `limit` pending deliveries due by `now` that nobody holds (or whose holder's
   * claim ran out), for `leaseMs`. A delivery waits while an earlier one of the same incident
   * (notifier, connection, dedup key) is pending, so a resolve never overtakes its trigger. Two
   * claimers at once never get the same row (row locks skipped, or the one write lock).
   */
  claimDeliveries(claimer: string, now: EpochMs, leaseMs: number, limit: number): Promise<NotificationDelivery[]>;
  /** Records an attempt's outcome and releases the claim; false when `claimer` no longer holds it. */
  finishDelivery(id: number, claimer: string, outcome: DeliveryOutcome): Promise<boolean>;
  /** Lets go of claims without recording an attempt (a stopping process). */
  releaseDeliveries(claimer: string): Promise<void>;
  /** When a pending delivery may next be claimed (not waiting for its incident's earlier one; a claimed one at its claim's end), or null when none is pending. */
  nextDeliveryDue(): Promise<EpochMs | null>;
  /** Deliveries matching the filter, newest (highest id) first. */
  listDeliveries(filter: DeliveryFilter): Promise<NotificationDelivery[]>;
  /** Deletes delivered and failed deliveries last updated before `before`; returns how many. */
  pruneDeliveries(before: EpochMs): Promise<number>;
  /** The ticket of an incident, open or closed. */
  getTicket(connection: string, dedupKey: string): Promise<NotificationTicket | undefined>;
  /** Remembers (or replaces) the ticket of an incident. */
  saveTicket(ticket: NotificationTicket): Promise<void>;
}
