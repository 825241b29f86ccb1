import type { Kysely } from "kysely";
import type {
  ApiTokenRecord,
  AttemptRecord,
  BackfillRecord,
  CommandKind,
  CommandPayloads,
  CommandRecord,
  DagRecord,
  DagVersionRecord,
  EpochMs,
  ImportErrorRecord,
  ImportWarningRecord,
  NewRun,
  PoolRecord,
  Role,
  RunRecord,
  SessionRecord,
  TaskInstanceRecord,
  UserRecord,
} from "../core/model/records.js";
import type { TaskState } from "../core/model/states.js";
import type { ChangeSet, NewBackfill, PreviousRunFilter, QueuedRunGroup, QueuedRunsPage, RunFilter, StoreCapabilities, TaskCell } from "../core/ports/store.js";
import type { Clock } from "../core/ports/clock.js";
import { alwaysAvailable, type StoreAvailability } from "../core/ports/store-availability.js";
import type { DialectFeatures } from "./dialect-features.js";
import type { FullStore } from "./full-store.js";
import { migrateToLatest } from "./migrations/migrate-to-latest.js";
import { commitChanges } from "./queries/commit-changes.js";
import type { CommitFence, NewSchedulerLease, SchedulerLeaseRecord } from "../core/ports/scheduler-leases.js";
import { beatScheduler } from "./queries/beat-scheduler.js";
import { claimDags } from "./queries/claim-dags.js";
import { fenceScheduler } from "./queries/fence-scheduler.js";
import { grantPoolSlots } from "./queries/grant-pool-slots.js";
import { listOwnedDags } from "./queries/list-owned-dags.js";
import { listSchedulerLeases } from "./queries/list-scheduler-leases.js";
import { registerScheduler } from "./queries/register-scheduler.js";
import { releaseDags } from "./queries/release-dags.js";
import { completeCommand } from "./queries/complete-command.js";
import { countUsersWithRole } from "./queries/count-users-with-role.js";
import { createBackfill } from "./queries/create-backfill.js";
import { createRun } from "./queries/create-run.js";
import { createSession } from "./queries/create-session.js";
import { createToken } from "./queries/create-token.js";
import { createUser } from "./queries/create-user.js";
import { deactivateDags } from "./queries/deactivate-dags.js";
import { deleteExpiredSessions } from "./queries/delete-expired-sessions.js";
import { deletePool } from "./queries/delete-pool.js";
import { deleteSession } from "./queries/delete-session.js";
import { deleteUserSessions } from "./queries/delete-user-sessions.js";
import { deleteToken } from "./queries/delete-token.js";
import { deleteUser } from "./queries/delete-user.js";
import { enqueueCommand } from "./queries/enqueue-command.js";
import { getBackfill } from "./queries/get-backfill.js";
import { getCommand } from "./queries/get-command.js";
import { getDagVersion } from "./queries/get-dag-version.js";
import { getDag } from "./queries/get-dag.js";
import { getPool } from "./queries/get-pool.js";
import { getPreviousRun } from "./queries/get-previous-run.js";
import { getRunById } from "./queries/get-run-by-id.js";
import { getRun } from "./queries/get-run.js";
import { getSession } from "./queries/get-session.js";
import { getToken } from "./queries/get-token.js";
import { getUser } from "./queries/get-user.js";
import { listAttempts } from "./queries/list-attempts.js";
import { listBackfills } from "./queries/list-backfills.js";
import { setBackfillPaused } from "./queries/set-backfill-paused.js";
import { listDags } from "./queries/list-dags.js";
import { listHeartbeats } from "./queries/list-heartbeats.js";
import { listImportErrors } from "./queries/list-import-errors.js";
import { listImportWarnings, replaceImportWarnings } from "./queries/import-warnings.js";
import { listPendingCommands } from "./queries/list-pending-commands.js";
import { listPools } from "./queries/list-pools.js";
import { listRuns } from "./queries/list-runs.js";
import { listQueuedRunGroups } from "./queries/list-queued-run-groups.js";
import { listDueQueuedRuns } from "./queries/list-due-queued-runs.js";
import { countActiveRuns } from "./queries/count-active-runs.js";
import { listTaskCellsForRuns, listTaskInstancesForRuns } from "./queries/list-task-instances-for-runs.js";
import { listTaskInstancesInStates } from "./queries/list-task-instances-in-states.js";
import { listTaskInstances } from "./queries/list-task-instances.js";
import { listTokens } from "./queries/list-tokens.js";
import { listUsers } from "./queries/list-users.js";
import { recordHeartbeat } from "./queries/record-heartbeat.js";
import { replaceImportErrors } from "./queries/replace-import-errors.js";
import { saveDagVersion } from "./queries/save-dag-version.js";
import { setDagPaused } from "./queries/set-dag-paused.js";
import { touchToken } from "./queries/touch-token.js";
import { updateUser } from "./queries/update-user.js";
import { upsertPool } from "./queries/upsert-pool.js";
import type { Database } from "./schema/database.js";
import type { StoredConnection, StoredVariable } from "../core/ports/secret-store.js";
import { deleteConnection } from "./queries/delete-connection.js";
import { deleteVariable } from "./queries/delete-variable.js";
import { getConnection } from "./queries/get-connection.js";
import { getVariable } from "./queries/get-variable.js";
import { listConnections } from "./queries/list-connections.js";
import { listVariables } from "./queries/list-variables.js";
import { upsertConnection } from "./queries/upsert-connection.js";
import { upsertVariable } from "./queries/upsert-variable.js";
import type { DatasetEventRecord, NewDatasetEvent } from "../core/model/records.js";
import type { DatasetEventFilter, DatasetSummary } from "../core/ports/dataset-store.js";
import { getDatasetCursor, setDatasetCursor } from "./queries/dataset-cursors.js";
import { listDatasetEvents } from "./queries/list-dataset-events.js";
import { listDatasetSummaries } from "./queries/list-dataset-summaries.js";
import { recordDatasetEvents } from "./queries/record-dataset-events.js";
import { KyselyCallbackStore } from "./kysely-callback-store.js";
import { KyselyAnomalyStore } from "./kysely-anomaly-store.js";
import { KyselyDeadlineStore } from "./kysely-deadline-store.js";
import { KyselyOverviewStore } from "./kysely-overview-store.js";
import { KyselyTrendsStore } from "./kysely-trends-store.js";
import { KyselyNotificationStore } from "./kysely-notification-store.js";
import { KyselyWorkerStore } from "./kysely-worker-store.js";
import { KyselyRetentionStore } from "./kysely-retention-store.js";
import type { SearchCatalog } from "../core/ports/search-catalog.js";
import { searchCatalog } from "./queries/search-catalog.js";
import type { AuditEntry, AuditFilter, NewAuditEntry } from "../core/model/audit.js";
import { listAudit } from "./queries/list-audit.js";
import { pruneAudit } from "./queries/prune-audit.js";
import { recordAudit } from "./queries/record-audit.js";

export interface StoreOptions {
  /**
   * Wall clock for the few timestamps the store assigns itself (a run's `createdAt` when the
   * caller gives none, a backfill's `createdAt`). Defaults to Date.now.
   */
  now?: () => EpochMs;
  /**
   * SQLite: how long a statement waits, off the event loop, for a lock another process holds
   * before failing with StoreUnavailableError (default 300,000 ms; docs/storage.md).
   */
  lockWaitMs?: number;
  /** SQLite: the timers of those waits. Defaults to the system clock. */
  clock?: Clock;
}

/**
 * The Store, CommandInbox and AuthStore ports over any Kysely dialect. Every query lives in src/store/queries/ and is written
 * once against Kysely<Database>; what differs between engines arrives as {@link DialectFeatures}.
 */
export class KyselyStore implements FullStore {
  readonly #db: Kysely<Database>;
  readonly #features: DialectFeatures;
  readonly #now: () => EpochMs;
  #closed: Promise<void> | undefined;
  /** Callback claims (the callback log) and alert incidents (docs/alerts.md), over the same handle. */
  readonly callbacks: KyselyCallbackStore;
  /** Missed deadlines (docs/deadlines.md), over the same handle. */
  readonly deadlines: KyselyDeadlineStore;
  /** The notification outbox's table (docs/alerts.md#notifiers), over the same handle. */
  readonly notifications: KyselyNotificationStore;
  /** Task metrics and anomalies (docs/anomalies.md), over the same handle. */
  readonly anomalies: KyselyAnomalyStore;
  /** Remote workers: tokens, registry, DAG bundles and the attempts mailbox (docs/adr/0008-remote-workers.md). */
  readonly workers: KyselyWorkerStore;
  /** Deleting old finished runs (`baton db clean`; docs/storage.md), over the same handle. */
  readonly retention: KyselyRetentionStore;
  /** The home page's aggregates (docs/ui.md#home), over the same handle. */
  readonly overview: KyselyOverviewStore;
  /** The DAG page's Trends aggregate (docs/ui.md#trends), over the same handle. */
  readonly trends: KyselyTrendsStore;
  /** Global search over DAGs, runs, tasks and datasets (docs/ui.md#search-and-navigation), over the same handle. */
  readonly catalog: SearchCatalog;

  constructor(
    db: Kysely<Database>,
    readonly capabilities: StoreCapabilities,
    features: DialectFeatures,
    options: StoreOptions = {},
    /** Whether statements are waiting on a lock (SQLite); read by `/health`. */
    readonly availability: StoreAvailability = alwaysAvailable,
  ) {
    this.#db = db;
    this.#features = features;
    this.#now = options.now ?? Date.now;
    this.callbacks = new KyselyCallbackStore(db);
    this.deadlines = new KyselyDeadlineStore(db, features);
    this.notifications = new KyselyNotificationStore(db, features);
    this.anomalies = new KyselyAnomalyStore(db);
    this.workers = new KyselyWorkerStore(db, features, this.#now);
    this.retention = new KyselyRetentionStore(db, features);
    this.catalog = { search: (query) => searchCatalog(db, query) };
    this.overview = new KyselyOverviewStore(db);
    this.trends = new KyselyTrendsStore(db);
  }

  migrate(): Promise<void> {
    return migrateToLatest(this.#db, this.#features);
  }

  /** Idempotent. */
  close(): Promise<void> {
    this.#closed ??= this.#db.destroy();
    return this.#closed;
  }

  saveDagVersion(version: DagVersionRecord): Promise<void> {
    return saveDagVersion(this.#db, version);
  }

  deactivateDags(fileloc: string, keepDagIds: string[]): Promise<void> {
    return deactivateDags(this.#db, fileloc, keepDagIds);
  }

  listDags(): Promise<DagRecord[]> {
    return listDags(this.#db);
  }

  getDag(dagId: string): Promise<DagRecord | undefined> {
    return getDag(this.#db, dagId);
  }

  getDagVersion(versionHash: string): Promise<DagVersionRecord | undefined> {
    return getDagVersion(this.#db, versionHash);
  }

  setDagPaused(dagId: string, paused: boolean): Promise<boolean> {
    return setDagPaused(this.#db, dagId, paused);
  }

  replaceImportErrors(file: string, errors: ImportErrorRecord[]): Promise<void> {
    return replaceImportErrors(this.#db, this.#features.maxParameters, file, errors);
  }

  listImportErrors(): Promise<ImportErrorRecord[]> {
    return listImportErrors(this.#db);
  }

  replaceImportWarnings(file: string, warnings: ImportWarningRecord[]): Promise<void> {
    return replaceImportWarnings(this.#db, this.#features.maxParameters, file, warnings);
  }

  listImportWarnings(): Promise<ImportWarningRecord[]> {
    return listImportWarnings(this.#db);
  }

  createRun(run: NewRun, tis: TaskInstanceRecord[]): Promise<RunRecord | undefined> {
    return createRun(this.#db, this.#features.maxParameters, run, tis, run.createdAt ?? this.#now());
  }

  getRun(dagId: string, runId: string): Promise<RunRecord | undefined> {
    return getRun(this.#db, dagId, runId);
  }

  getRunById(id: number): Promise<RunRecord | undefined> {
    return getRunById(this.#db, id);
  }

  listRuns(filter: RunFilter): Promise<RunRecord[]> {
    return listRuns(this.#db, filter);
  }

  listQueuedRunGroups(dueBy: EpochMs): Promise<QueuedRunGroup[]> {
    return listQueuedRunGroups(this.#db, dueBy);
  }

  listDueQueuedRuns(page: QueuedRunsPage): Promise<RunRecord[]> {
    return listDueQueuedRuns(this.#db, page);
  }

  countActiveRuns(dagIds: readonly string[]): Promise<Map<string, number>> {
    return countActiveRuns(this.#db, dagIds);
  }

  getPreviousRun(dagId: string, logicalDate: EpochMs, filter?: PreviousRunFilter): Promise<RunRecord | undefined> {
    return getPreviousRun(this.#db, dagId, logicalDate, filter);
  }

  listTaskInstances(runPk: number): Promise<TaskInstanceRecord[]> {
    return listTaskInstances(this.#db, runPk);
  }

  listTaskInstancesForRuns(runPks: number[]): Promise<TaskInstanceRecord[]> {
    return listTaskInstancesForRuns(this.#db, this.#features.maxParameters, runPks);
  }

  listTaskCellsForRuns(runPks: number[]): Promise<TaskCell[]> {
    return listTaskCellsForRuns(this.#db, this.#features.maxParameters, runPks);
  }

  listTaskInstancesInStates(states: TaskState[]): Promise<TaskInstanceRecord[]> {
    return listTaskInstancesInStates(this.#db, states);
  }

  listAttempts(runPk: number, taskId?: string): Promise<AttemptRecord[]> {
    return listAttempts(this.#db, runPk, taskId);
  }

  commit(changes: ChangeSet, fence?: CommitFence): Promise<void> {
    return commitChanges(this.#db, this.#features, changes, fence);
  }

  listPools(): Promise<PoolRecord[]> {
    return listPools(this.#db);
  }

  getPool(name: string): Promise<PoolRecord | undefined> {
    return getPool(this.#db, name);
  }

  upsertPool(pool: PoolRecord): Promise<void> {
    return upsertPool(this.#db, pool);
  }

  deletePool(name: string): Promise<boolean> {
    return deletePool(this.#db, name);
  }

  createBackfill(backfill: NewBackfill): Promise<BackfillRecord> {
    return createBackfill(this.#db, backfill, this.#now());
  }

  getBackfill(id: number): Promise<BackfillRecord | undefined> {
    return getBackfill(this.#db, id);
  }

  listBackfills(filter: { dagId?: string; states?: BackfillRecord["state"][] }): Promise<BackfillRecord[]> {
    return listBackfills(this.#db, filter);
  }

  setBackfillPaused(id: number, paused: boolean): Promise<BackfillRecord | undefined> {
    return setBackfillPaused(this.#db, id, paused);
  }

  heartbeat(component: string, id: string, at: EpochMs): Promise<void> {
    return recordHeartbeat(this.#db, component, id, at);
  }

  listHeartbeats(component: string): Promise<{ id: string; at: EpochMs }[]> {
    return listHeartbeats(this.#db, component);
  }

  // SchedulerLeases

  registerScheduler(lease: NewSchedulerLease): Promise<void> {
    return registerScheduler(this.#db, lease);
  }

  beatScheduler(id: string, at: EpochMs): Promise<boolean> {
    return beatScheduler(this.#db, id, at);
  }

  listSchedulerLeases(): Promise<SchedulerLeaseRecord[]> {
    return listSchedulerLeases(this.#db);
  }

  fenceScheduler(id: string, seenBeat: number, by: string, at: EpochMs): Promise<boolean> {
    return fenceScheduler(this.#db, id, seenBeat, by, at);
  }

  claimDags(schedulerId: string, limit: number): Promise<string[]> {
    return claimDags(this.#db, this.#features.rowLocks, schedulerId, limit);
  }

  listOwnedDags(schedulerId: string): Promise<string[]> {
    return listOwnedDags(this.#db, schedulerId);
  }

  releaseDags(schedulerId: string, dagIds: string[]): Promise<void> {
    return releaseDags(this.#db, schedulerId, dagIds);
  }

  grantPoolSlots(pool: string, schedulerId: string, wanted: number): Promise<number> {
    return grantPoolSlots(this.#db, this.#features.rowLocks, pool, schedulerId, wanted);
  }

  // AuditLog

  recordAudit(entry: NewAuditEntry): Promise<AuditEntry> {
    return recordAudit(this.#db, entry);
  }

  listAudit(filter: AuditFilter): Promise<AuditEntry[]> {
    return listAudit(this.#db, filter);
  }

  pruneAudit(before: EpochMs): Promise<number> {
    return pruneAudit(this.#db, before);
  }

  // CommandInbox

  enqueueCommand<K extends CommandKind>(kind: K, payload: CommandPayloads[K], requestedBy: string | null, at: EpochMs): Promise<CommandRecord<K>> {
    return enqueueCommand(this.#db, kind, payload, requestedBy, at);
  }

  listPendingCommands(limit: number): Promise<CommandRecord[]> {
    return listPendingCommands(this.#db, limit);
  }

  completeCommand(id: number, result: string, at: EpochMs): Promise<void> {
    return completeCommand(this.#db, id, result, at);
  }

  getCommand(id: number): Promise<CommandRecord | undefined> {
    return getCommand(this.#db, id);
  }

  // AuthStore

  createUser(user: UserRecord): Promise<boolean> {
    return createUser(this.#db, user);
  }

  getUser(username: string): Promise<UserRecord | undefined> {
    return getUser(this.#db, username);
  }

  listUsers(): Promise<UserRecord[]> {
    return listUsers(this.#db);
  }

  updateUser(username: string, patch: Partial<Pick<UserRecord, "role" | "passwordHash" | "disabled">>): Promise<boolean> {
    return updateUser(this.#db, username, patch);
  }

  deleteUser(username: string): Promise<boolean> {
    return deleteUser(this.#db, username);
  }

  countUsersWithRole(role: Role): Promise<number> {
    return countUsersWithRole(this.#db, role);
  }

  createToken(token: ApiTokenRecord): Promise<void> {
    return createToken(this.#db, token);
  }

  getToken(id: string): Promise<ApiTokenRecord | undefined> {
    return getToken(this.#db, id);
  }

  listTokens(username?: string): Promise<ApiTokenRecord[]> {
    return listTokens(this.#db, username);
  }

  deleteToken(id: string): Promise<boolean> {
    return deleteToken(this.#db, id);
  }

  touchToken(id: string, at: EpochMs): Promise<void> {
    return touchToken(this.#db, id, at);
  }

  createSession(session: SessionRecord): Promise<void> {
    return createSession(this.#db, session);
  }

  getSession(idHash: string): Promise<SessionRecord | undefined> {
    return getSession(this.#db, idHash);
  }

  deleteSession(idHash: string): Promise<void> {
    return deleteSession(this.#db, idHash);
  }

  deleteUserSessions(username: string, keepIdHash?: string): Promise<number> {
    return deleteUserSessions(this.#db, username, keepIdHash);
  }

  deleteExpiredSessions(now: EpochMs): Promise<void> {
    return deleteExpiredSessions(this.#db, now);
  }

  // SecretStore (ciphertext only; see src/secrets)

  upsertConnection(connection: StoredConnection): Promise<void> {
    return upsertConnection(this.#db, connection);
  }

  getConnection(id: string): Promise<StoredConnection | undefined> {
    return getConnection(this.#db, id);
  }

  listConnections(): Promise<StoredConnection[]> {
    return listConnections(this.#db);
  }

  deleteConnection(id: string): Promise<boolean> {
    return deleteConnection(this.#db, id);
  }

  upsertVariable(variable: StoredVariable): Promise<void> {
    return upsertVariable(this.#db, variable);
  }

  getVariable(key: string): Promise<StoredVariable | undefined> {
    return getVariable(this.#db, key);
  }

  listVariables(): Promise<StoredVariable[]> {
    return listVariables(this.#db);
  }

  deleteVariable(key: string): Promise<boolean> {
    return deleteVariable(this.#db, key);
  }

  // DatasetStore

  recordDatasetEvents(events: NewDatasetEvent[]): Promise<DatasetEventRecord[]> {
    return recordDatasetEvents(this.#db, events);
  }

  listDatasetEvents(filter: DatasetEventFilter): Promise<DatasetEventRecord[]> {
    return listDatasetEvents(this.#db, filter);
  }

  listDatasetSummaries(uris?: string[]): Promise<DatasetSummary[]> {
    return listDatasetSummaries(this.#db, uris);
  }

  getDatasetCursor(dagId: string): Promise<number> {
    return getDatasetCursor(this.#db, dagId);
  }

  setDatasetCursor(dagId: string, lastEventId: number, at: EpochMs): Promise<void> {
    return setDatasetCursor(this.#db, dagId, lastEventId, at);
  }
}
