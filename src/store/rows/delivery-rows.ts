import type { Selectable } from "kysely";
import type { AlertContext, AlertEvent, AlertSeverity, NotifierDeclaration, NotifierKind } from "../../core/model/alerts.js";
import type { DeliveryState, NotificationDelivery, NotificationTicket } from "../../core/ports/notification-store.js";
import type { NotificationDeliveriesTable, NotificationTicketsTable } from "../schema/notification-tables.js";
import { parseJsonColumn } from "./json-column.js";

export function toDelivery(row: Selectable<NotificationDeliveriesTable>): NotificationDelivery {
  const where = `notification_deliveries ${row.id}`;
  return {
    id: Number(row.id),
    notifier: row.notifier as NotifierKind,
    connection: row.connection,
    target: row.target,
    dagId: row.dag_id,
    runId: row.run_id,
    taskId: row.task_id,
    event: row.event as AlertEvent,
    severity: row.severity as AlertSeverity,
    dedupKey: row.dedup_key,
    summary: row.summary,
    declaration: parseJsonColumn<NotifierDeclaration>(row.declaration, `${where}.declaration`),
    alert: parseJsonColumn<AlertContext>(row.alert, `${where}.alert`),
    state: row.state as DeliveryState,
    attempts: row.attempts,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
    externalRef: row.external_ref,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deliveredAt: row.delivered_at,
  };
}

export function toTicket(row: Selectable<NotificationTicketsTable>): NotificationTicket {
  return { connection: row.connection, dedupKey: row.dedup_key, ticketKey: row.ticket_key, openedAt: row.opened_at, closedAt: row.closed_at };
}
