import type { FastifyInstance } from "fastify";
import type { Connection } from "../core/model/connection.js";
import type { BackfillRecord, EpochMs, ReprocessBehavior, RunRecord } from "../core/model/records.js";
import type { RunInterval } from "../core/timetable/timetable-types.js";
import type { AuditLog } from "../core/ports/audit-log.js";
import type { AuthStore } from "../core/ports/auth-store.js";
import type { Clock } from "../core/ports/clock.js";
import type { ChangeFeed } from "../core/ports/change-feed.js";
import type { CommandInbox } from "../core/ports/command-inbox.js";
import type { DatasetStore } from "../core/ports/dataset-store.js";
import type { AnomalyStore } from "../core/ports/anomaly-store.js";
import type { DeadlineStore } from "../core/ports/deadline-store.js";
import type { SecretsResolver } from "../core/ports/secrets-resolver.js";
import type { Store } from "../core/ports/store.js";
import type { StoreAvailability } from "../core/ports/store-availability.js";
import type { InfraErrors } from "../core/ports/infra-errors.js";
import type { NotificationStore } from "../core/ports/notification-store.js";
import type { CallbackStore } from "../core/ports/callback-store.js";
import type { SchedulerLeases } from "../core/ports/scheduler-leases.js";
import type { MetricsExposition } from "../core/ports/metrics.js";
import type { WorkerStore } from "../core/ports/worker-store.js";
import type { RetentionStore } from "../core/ports/retention-store.js";
import type { OverviewStore } from "../core/ports/overview-store.js";
import type { TrendsStore } from "../core/ports/trends-store.js";
import type { ValueStore } from "../core/ports/value-store.js";
import type { LivenessSettings } from "./views/component-health.js";
import type { SearchCatalog } from "../core/ports/search-catalog.js";

/** A manual-run request as the API hands it to the composition root. */
export interface TriggerRequest {
  conf: Record<string, unknown>;
  logicalDate: number | null;
  runId: string | null;
  /** Who asks (audit actor name: a username, `local`, `webhook`); kept as the run's `triggeredBy`. */
  triggeredBy?: string | null;
}

export interface BackfillRequest {
  dagId: string;
  from: number;
  to: number;
  reprocess: ReprocessBehavior;
  maxActiveRuns: number | null;
  conf: Record<string, unknown>;
  /** Accept more runs than the per-backfill limit. */
  force: boolean;
}

/** The intervals a backfill request covers (nothing written): the dry run. */
export interface BackfillPlanResult {
  /** When `more`, only the first ones of an unforced request (the count stops there). */
  intervals: RunInterval[];
  more: boolean;
  maxActiveRuns: number;
  reprocess: ReprocessBehavior;
}

/** The API's collaborators; the composition root (src/cli) builds them. */
export interface ApiDeps {
  store: Store;
  inbox: CommandInbox;
  auth: AuthStore;
  /** Where every state-changing request is recorded, and what `GET /api/v1/audit` reads (docs/audit.md). */
  audit: AuditLog;
  /** Prune audit entries older than `days` (0: never) on `clock`, while the server runs; absent → no pruning. */
  auditRetention?: { days: number; clock: Clock };
  /** Dataset events (GET/POST /api/v1/datasets…). */
  datasets: DatasetStore;
  /** Missed deadlines (GET /api/v1/deadlines/missed, runs' `deadlineMissed`); absent → that route answers 404 and runs carry no flag. */
  deadlines?: DeadlineStore;
  /** Anomalies (GET /api/v1/anomalies, /api/v1/anomalies/counts; docs/anomalies.md); absent → those routes answer 404. */
  anomalies?: Pick<AnomalyStore, "listAnomalies" | "countAnomaliesByDag">;
  /** Global search (GET /api/v1/search; docs/ui.md#search-and-navigation); absent → that route answers 404. */
  search?: SearchCatalog;
  /** Notification deliveries (GET /api/v1/notifications); absent → that route answers 404. */
  notifications?: Pick<NotificationStore, "listDeliveries">;
  /** The callback log (GET /api/v1/callbacks); absent → that route answers 404. */
  callbacks?: Pick<CallbackStore, "listCallbacks">;
  /** Remote workers' registry, tokens and mailbox (GET /api/v1/workers, /api/v1/worker-tokens; docs/workers.md); absent → those routes answer 404. */
  workers?: WorkerStore;
  /**
   * The remote workers' channel (src/remote/hub: the WebSocket at /api/v1/workers/connect and the
   * bundle route, authenticated by worker tokens; docs/workers.md#worker-channel), attached before
   * the server is ready; absent → no worker can connect.
   */
  workerHub?: { attach(app: FastifyInstance): void };
  /** Resolves webhook secrets (variable `webhook_secret_<dagId>`); absent → webhooks answer 404. */
  secrets?: SecretsResolver;
  /** Connections and variables for /api/v1/connections and /api/v1/variables; absent → those routes answer 404. */
  secretsAdmin?: SecretsAdmin;
  changes: ChangeFeed;
  /** Deleting history: DELETE /api/v1/dags/{dagId} (docs/api.md); absent → that route answers 404. */
  retention?: Pick<RetentionStore, "purgeFinishedRuns" | "deleteDag">;
  /** Scheduler leases, so "why isn't it running?" can name the schedulers (docs/explain.md); absent → heartbeats only. */
  leases?: Pick<SchedulerLeases, "listSchedulerLeases">;
  /** The home page's counts (GET /api/v1/overview; docs/ui.md#home); absent → no scheduler loads or run counts there. */
  overview?: OverviewStore;
  /** The DAG page's daily run outcomes (GET /api/v1/dags/{dagId}/trends; docs/ui.md#trends); absent → that route answers 404. */
  trends?: TrendsStore;
  /** The heartbeat timings components are judged by on the overview; absent → the defaults. */
  liveness?: LivenessSettings;
  /** Baton's version on this server, shown on the overview. */
  version?: string;
  /** Whether the store's statements are waiting on a lock (`/health` reports it); absent → always available. */
  storeAvailability?: StoreAvailability;
  mode: "local" | "required";
  logsDir: string;
  /**
   * BATON_VALUE_STORE (docs/storage.md#large-return-values): offloaded return values are read
   * from it for the task-instance detail, and a deleted DAG's values deleted; absent → such a
   * value shows as its reference only.
   */
  values?: ValueStore | null;
  /** BATON_HOME: `/health` reports the free space of its file system; absent → no `disk` in `/health`. */
  homeDir?: string;
  /** The executor's infrastructure failures (standalone: same process); `/health` shows the last. */
  infraErrors?: InfraErrors;
  /** Creates a queued manual run (validates conf, throws InvalidInputError/NotFoundError). Provided by the composition root. */
  triggerRun(dagId: string, req: TriggerRequest, now: number): Promise<RunRecord>;
  /** Creates a backfill (validates). */
  createBackfill(req: BackfillRequest, now: number): Promise<BackfillRecord>;
  /** Lists what a backfill request covers, writing nothing (GET /api/v1/backfills/dry-run); absent → that route answers 404. */
  planBackfill?(req: BackfillRequest): Promise<BackfillPlanResult>;
  /** What `GET /metrics` serves (docs/metrics.md); absent → 404. */
  metrics?: MetricsExposition;
  /** Nudges an in-process scheduler to apply commands now (standalone); absent for `baton api`. */
  wake?: () => void;
  /** Built UI assets (index.html + assets/) served at / with SPA fallback; absent → no UI. */
  uiDir?: string;
  now?: () => number;
  /** The session cookie's `Secure`: true, false, or "auto" (default: when the request came over HTTPS). */
  cookieSecure?: boolean | "auto";
  /** Fastify's `trustProxy`: whose X-Forwarded-For/-Proto count (false: nobody, the default). */
  trustProxy?: boolean | string;
  /** How long clear/mark/cancel wait for the scheduler to apply the command (default 5000 ms). */
  commandWaitMs?: number;
  /** Passed to Fastify. */
  logger?: boolean | object;
}

/** A stored connection, decrypted, with its description. */
export interface StoredConnectionEntry {
  connection: Connection;
  description: string;
  updatedAt: EpochMs;
}

/** A stored variable, decrypted. */
export interface StoredVariableEntry {
  key: string;
  value: string;
  description: string;
  updatedAt: EpochMs;
}

/** Encrypting access to stored connections and variables (src/secrets' SecretVault). */
export interface SecretsVault {
  putConnection(connection: Connection, description?: string): Promise<void>;
  getConnection(id: string): Promise<StoredConnectionEntry | undefined>;
  listConnections(): Promise<StoredConnectionEntry[]>;
  deleteConnection(id: string): Promise<boolean>;
  putVariable(key: string, value: string, description?: string): Promise<void>;
  getVariable(key: string): Promise<StoredVariableEntry | undefined>;
  listVariables(): Promise<StoredVariableEntry[]>;
  deleteVariable(key: string): Promise<boolean>;
}

/** The outcome of `baton connections test`: `supported` false when no check exists for the type. */
export interface ConnectionCheck {
  ok: boolean;
  supported: boolean;
  /** Why it failed, with the connection's secrets masked; null when ok. */
  error: string | null;
}

/** What the connection and variable routes need; the composition root builds it. */
export interface SecretsAdmin {
  /** The vault; opened (and its key loaded) on first use, so a key problem is an error of these routes only. */
  vault(): SecretsVault;
  /** `BATON_CONN_*` and `BATON_VAR_*` environment variables: they override the store and are read-only here. */
  env: Readonly<Record<string, string | undefined>>;
  /** The same check as `baton connections test`. */
  check(connection: Connection): Promise<ConnectionCheck>;
}

/** What route modules receive: the deps with the clock resolved. */
export type RouteDeps = Omit<ApiDeps, "now" | "commandWaitMs"> & { now: () => number; commandWaitMs: number };
