import type { Kysely } from "kysely";
import type {
  DeliveryFilter,
  DeliveryOutcome,
  NewDelivery,
  NotificationDelivery,
  NotificationStore,
  NotificationTicket,
} from "../core/ports/notification-store.js";
import type { DialectFeatures } from "./dialect-features.js";
import { addDelivery } from "./queries/add-delivery.js";
import { claimDeliveries } from "./queries/claim-deliveries.js";
import { finishDelivery, releaseDeliveries } from "./queries/finish-delivery.js";
import { listDeliveries, nextDeliveryDue, pruneDeliveries } from "./queries/list-deliveries.js";
import { getTicket, saveTicket } from "./queries/notification-tickets.js";
import type { Database } from "./schema/database.js";

/** The notification outbox's table over the store's Kysely handle (`store.notifications`). */
export class KyselyNotificationStore implements NotificationStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly features: DialectFeatures,
  ) {}

  addDelivery(delivery: NewDelivery, repeatSince: number): Promise<NotificationDelivery | null> {
    return addDelivery(this.db, delivery, repeatSince);
  }

  claimDeliveries(claimer: string, now: number, leaseMs: number, limit: number): Promise<NotificationDelivery[]> {
    return claimDeliveries(this.db, this.features.rowLocks, claimer, now, leaseMs, limit);
  }

  finishDelivery(id: number, claimer: string, outcome: DeliveryOutcome): Promise<boolean> {
    return finishDelivery(this.db, id, claimer, outcome);
  }

  releaseDeliveries(claimer: string): Promise<void> {
    return releaseDeliveries(this.db, claimer);
  }

  nextDeliveryDue(): Promise<number | null> {
    return nextDeliveryDue(this.db);
  }

  listDeliveries(filter: DeliveryFilter): Promise<NotificationDelivery[]> {
    return listDeliveries(this.db, filter);
  }

  pruneDeliveries(before: number): Promise<number> {
    return pruneDeliveries(this.db, before);
  }

  getTicket(connection: string, dedupKey: string): Promise<NotificationTicket | undefined> {
    return getTicket(this.db, connection, dedupKey);
  }

  saveTicket(ticket: NotificationTicket): Promise<void> {
    return saveTicket(this.db, ticket);
  }
}
