import type { AnomalyStore } from "../core/ports/anomaly-store.js";
import type { AuditLog } from "../core/ports/audit-log.js";
import type { AuthStore } from "../core/ports/auth-store.js";
import type { CallbackStore } from "../core/ports/callback-store.js";
import type { CommandInbox } from "../core/ports/command-inbox.js";
import type { DatasetStore } from "../core/ports/dataset-store.js";
import type { DeadlineStore } from "../core/ports/deadline-store.js";
import type { NotificationStore } from "../core/ports/notification-store.js";
import type { RetentionStore } from "../core/ports/retention-store.js";
import type { SchedulerLeases } from "../core/ports/scheduler-leases.js";
import type { SearchCatalog } from "../core/ports/search-catalog.js";
import type { SecretStore } from "../core/ports/secret-store.js";
import type { Store } from "../core/ports/store.js";
import type { WorkerStore } from "../core/ports/worker-store.js";
import type { OverviewStore } from "../core/ports/overview-store.js";
import type { TrendsStore } from "../core/ports/trends-store.js";
import type { StoreAvailability } from "../core/ports/store-availability.js";

/** Every port the database implements; what `openStore` returns to the composition root. */
export type FullStore = Store &
  CommandInbox &
  AuthStore &
  AuditLog &
  SecretStore &
  DatasetStore &
  SchedulerLeases & { readonly deadlines: DeadlineStore; readonly availability: StoreAvailability; readonly notifications: NotificationStore } & {
    readonly callbacks: CallbackStore;
  } & { readonly anomalies: AnomalyStore } & { readonly workers: WorkerStore } & { readonly retention: RetentionStore } & {
    readonly overview: OverviewStore;
  } & { readonly trends: TrendsStore } & { readonly catalog: SearchCatalog };
