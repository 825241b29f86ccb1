import type { AlertContext, NotifierDeclaration, NotifierKind } from "../../core/model/alerts.js";
import type { Connection } from "../../core/model/connection.js";
import type { NotificationStore } from "../../core/ports/notification-store.js";
import { DeliveryError } from "./delivery-error.js";
import type { HttpClient } from "./http-client.js";

export { DeliveryError };

/** One delivery as a notifier receives it: the alert, its declaration and the connection, resolved. */
export interface SendRequest {
  /** The outbox row's id: stable across retries (the generic webhook's `X-Baton-Delivery`). */
  deliveryId: number;
  declaration: NotifierDeclaration;
  alert: AlertContext;
  connection: Connection;
  http: HttpClient;
  /** Helpdesk tickets per incident (Jira). */
  tickets: Pick<NotificationStore, "getTicket" | "saveTicket">;
  now(): number;
}

/** What a delivery achieved, to record (never a secret). */
export interface SendResult {
  /** Where it went, e.g. "hooks.slack.com" or "smtp.example.com → ops@example.com". */
  target: string;
  /** The service's id for it (Jira issue key, Opsgenie request id), when any. */
  externalRef: string | null;
}

/** Speaks one service's format. Throws {@link DeliveryError} (or anything: retried) when it could not deliver. */
export interface Notifier {
  readonly kind: NotifierKind;
  send(request: SendRequest): Promise<SendResult>;
}

/** A connection that cannot serve this notifier: not retried. */
export function badConnection(connection: Connection, kind: NotifierKind, why: string): DeliveryError {
  return new DeliveryError(`connection "${connection.id}" cannot serve the ${kind} notifier: ${why} (docs/alerts.md#notifiers)`, false);
}
