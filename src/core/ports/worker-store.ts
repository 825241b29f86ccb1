import type { EpochMs } from "../model/records.js";
import type { NewRemoteAttempt, QueueDepth, RemoteAttemptEnd, RemoteAttemptRecord, WorkerRecord, WorkerState, WorkerTokenRecord } from "../model/workers.js";

/**
 * Remote workers' tokens, their registry and the mailbox of attempts between schedulers and
 * API servers (docs/adr/0008-remote-workers.md). Every method is one transaction. Several
 * schedulers and several API servers may share one database: claims skip rows another claimer
 * holds (SKIP LOCKED on PostgreSQL), and every write about an assigned attempt is conditional
 * on the worker it is assigned to (fencing by attempt).
 */
export interface WorkerStore {
  // Tokens.
  createWorkerToken(token: WorkerTokenRecord): Promise<void>;
  getWorkerToken(id: string): Promise<WorkerTokenRecord | undefined>;
  /** Newest first, revoked ones included. */
  listWorkerTokens(): Promise<WorkerTokenRecord[]>;
  /** False when unknown or already revoked. */
  revokeWorkerToken(id: string, at: EpochMs): Promise<boolean>;
  touchWorkerToken(id: string, at: EpochMs): Promise<void>;

  // Registry.
  /** Inserts the worker, or on reconnect updates everything but `startedAt` and sets `state` back to what it says. */
  upsertWorker(worker: WorkerRecord): Promise<void>;
  /** Heartbeat: last seen and load. False when the worker is unknown or was declared lost (it must drop its work). */
  touchWorker(id: string, at: EpochMs, running: number): Promise<boolean>;
  setWorkerState(id: string, state: WorkerState, at: EpochMs, reason: string | null): Promise<void>;
  getWorker(id: string): Promise<WorkerRecord | undefined>;
  /** Active and draining workers, then the others seen since `since`, newest first. */
  listWorkers(since: EpochMs): Promise<WorkerRecord[]>;
  /**
   * Declares lost every `active`/`draining` worker last seen before `seenBefore`, in one
   * transaction with its attempts: `assigned` ones become `finished` with `{ kind: "infra_failed", error }`
   * (the worker may have started one whose `started` never arrived: a new try runs, never the same one twice),
   * `running` ones become `finished` with `{ kind: "crashed", error }`. Returns the ids declared lost.
   */
  declareLostWorkers(seenBefore: EpochMs, at: EpochMs, error: (workerId: string) => string): Promise<string[]>;

  // DAG bundles, for workers on other machines: fetched by the sha256 of their code.
  /** Stores a compiled DAG bundle once (a second save of the same hash only sets its `created_at` to `at`: retention keeps recently saved bundles). */
  saveBundle(sha256: string, code: string, at: EpochMs): Promise<void>;
  getBundle(sha256: string): Promise<string | undefined>;

  // Mailbox: the scheduler side.
  /**
   * Writes new attempts `queued` (or `assigned`, for a row with a `workerId`), unless their
   * scheduler's lease is fenced; an id already there is left as it is. Returns the ids inserted.
   */
  enqueueRemoteAttempts(rows: NewRemoteAttempt[]): Promise<string[]>;
  /** Asks for `attemptId` to be stopped. A `queued` one is finished at once with `outcome`; returns whether a row was there. */
  cancelRemoteAttempt(attemptId: string, reason: string, outcome: RemoteAttemptEnd["outcome"], at: EpochMs): Promise<boolean>;
  /**
   * What changed for `schedulerId`: the `finished` rows (deleted in the same transaction: the
   * caller applies them once) and, among `awaitingStart`, the ids now `running` or `finished`.
   */
  takeRemoteUpdates(
    schedulerId: string,
    awaitingStart: string[],
  ): Promise<{
    started: Pick<RemoteAttemptRecord, "attemptId" | "startedAt" | "pid" | "workerId">[];
    finished: RemoteAttemptRecord[];
  }>;
  /**
   * Gives up the rows of these schedulers (fenced or gone) and of these runs (adopted): `queued`
   * ones are deleted; `assigned`/`running` ones get `cancelReason` = `reason` and `schedulerId` ""
   * (orphans: the API server stops them on their worker and deletes them once finished; their
   * outcome is never applied). Returns how many rows were deleted and orphaned.
   */
  releaseRemoteAttempts(filter: { schedulerIds?: string[]; runPks?: number[] }, reason: string): Promise<{ deleted: number; orphaned: number }>;
  /** Deletes `finished` orphans (schedulerId ""); returns how many. */
  deleteFinishedOrphans(): Promise<number>;

  // Mailbox: the API server side.
  /** Assigns up to `limit` `queued` attempts of `queues`, oldest first, to `workerId`; returns them. */
  claimRemoteAttempts(workerId: string, queues: string[], limit: number, at: EpochMs): Promise<RemoteAttemptRecord[]>;
  /** Marks attempts running; returns the ids accepted (assigned to that worker and not finished). */
  markRemoteStarted(items: { attemptId: string; workerId: string; startedAt: EpochMs; pid: number | null }[]): Promise<string[]>;
  /** Records outcomes; returns the ids accepted. A refused one is not that worker's any more: the worker drops it. */
  finishRemoteAttempts(items: RemoteAttemptEnd[]): Promise<string[]>;
  /**
   * finishRemoteAttempts, except that the accepted rows of the schedulers `takeFor` (in the
   * caller's own process) are deleted and returned in `taken` instead of written `finished`: the
   * caller hands them to those schedulers itself (docs/workers.md, "One process").
   */
  finishAndTakeRemoteAttempts(
    items: RemoteAttemptEnd[],
    takeFor: string[],
  ): Promise<{ accepted: string[]; taken: (RemoteAttemptEnd & { schedulerId: string })[] }>;
  /** A worker hands back attempts it never started (draining): `assigned` → `queued`, only if assigned to `workerId`; returns the ids requeued. */
  requeueRemoteAttempts(ids: string[], workerId: string): Promise<string[]>;
  /** Attempts assigned to these workers whose stop was asked for (cancelReason set) and not finished. */
  listRemoteCancels(workerIds: string[]): Promise<Pick<RemoteAttemptRecord, "attemptId" | "workerId" | "cancelReason">[]>;
  /** Attempts assigned to `workerId` and not finished (a reconnecting worker is told which it still owns). */
  listWorkerAttempts(workerId: string): Promise<RemoteAttemptRecord[]>;
  getRemoteAttempt(attemptId: string): Promise<RemoteAttemptRecord | undefined>;
  /** Per queue: queued and running (assigned or running) attempts. */
  remoteQueueDepths(): Promise<QueueDepth[]>;
}
