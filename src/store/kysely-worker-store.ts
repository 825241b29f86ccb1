import type { Kysely } from "kysely";
import type { EpochMs } from "../core/model/records.js";
import type {
  NewRemoteAttempt,
  QueueDepth,
  RemoteAttemptEnd,
  RemoteAttemptRecord,
  WorkerRecord,
  WorkerState,
  WorkerTokenRecord,
} from "../core/model/workers.js";
import type { WorkerStore } from "../core/ports/worker-store.js";
import type { DialectFeatures } from "./dialect-features.js";
import { getBundle, saveBundle } from "./queries/dag-bundles.js";
import { declareLostWorkers } from "./queries/declare-lost-workers.js";
import {
  claimRemoteAttempts,
  finishAndTakeRemoteAttempts,
  finishRemoteAttempts,
  markRemoteStarted,
  requeueRemoteAttempts,
  type TakenRemoteEnd,
} from "./queries/remote-attempts-hub.js";
import {
  cancelRemoteAttempt,
  deleteFinishedOrphans,
  enqueueRemoteAttempts,
  releaseRemoteAttempts,
  takeRemoteUpdates,
} from "./queries/remote-attempts-submit.js";
import { getRemoteAttempt, listRemoteCancels, listWorkerAttempts, remoteQueueDepths } from "./queries/remote-attempts-views.js";
import { createWorkerToken, getWorkerToken, listWorkerTokens, revokeWorkerToken, touchWorkerToken } from "./queries/worker-tokens.js";
import { getWorker, listWorkers, setWorkerState, touchWorker, upsertWorker } from "./queries/workers-registry.js";
import type { Database } from "./schema/database.js";

/**
 * Worker tokens, the worker registry, DAG bundles and the remote-attempts mailbox over the
 * store's Kysely handle (`store.workers`; docs/adr/0008-remote-workers.md, docs/storage.md).
 */
export class KyselyWorkerStore implements WorkerStore {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly features: DialectFeatures,
    /** The time of the one write the port gives no time for (a hand-back that finishes a cancelled attempt). */
    private readonly now: () => EpochMs,
  ) {}

  createWorkerToken(token: WorkerTokenRecord): Promise<void> {
    return createWorkerToken(this.db, token);
  }

  getWorkerToken(id: string): Promise<WorkerTokenRecord | undefined> {
    return getWorkerToken(this.db, id);
  }

  listWorkerTokens(): Promise<WorkerTokenRecord[]> {
    return listWorkerTokens(this.db);
  }

  revokeWorkerToken(id: string, at: EpochMs): Promise<boolean> {
    return revokeWorkerToken(this.db, id, at);
  }

  touchWorkerToken(id: string, at: EpochMs): Promise<void> {
    return touchWorkerToken(this.db, id, at);
  }

  upsertWorker(worker: WorkerRecord): Promise<void> {
    return upsertWorker(this.db, worker);
  }

  touchWorker(id: string, at: EpochMs, running: number): Promise<boolean> {
    return touchWorker(this.db, id, at, running);
  }

  setWorkerState(id: string, state: WorkerState, at: EpochMs, reason: string | null): Promise<void> {
    return setWorkerState(this.db, id, state, at, reason);
  }

  getWorker(id: string): Promise<WorkerRecord | undefined> {
    return getWorker(this.db, id);
  }

  listWorkers(since: EpochMs): Promise<WorkerRecord[]> {
    return listWorkers(this.db, since);
  }

  declareLostWorkers(seenBefore: EpochMs, at: EpochMs, error: (workerId: string) => string): Promise<string[]> {
    return declareLostWorkers(this.db, seenBefore, at, error);
  }

  saveBundle(sha256: string, code: string, at: EpochMs): Promise<void> {
    return saveBundle(this.db, sha256, code, at);
  }

  getBundle(sha256: string): Promise<string | undefined> {
    return getBundle(this.db, sha256);
  }

  enqueueRemoteAttempts(rows: NewRemoteAttempt[]): Promise<string[]> {
    return enqueueRemoteAttempts(this.db, this.features.maxParameters, this.features.rowLocks, rows);
  }

  cancelRemoteAttempt(attemptId: string, reason: string, outcome: RemoteAttemptEnd["outcome"], at: EpochMs): Promise<boolean> {
    return cancelRemoteAttempt(this.db, attemptId, reason, outcome, at);
  }

  takeRemoteUpdates(
    schedulerId: string,
    awaitingStart: string[],
  ): Promise<{ started: Pick<RemoteAttemptRecord, "attemptId" | "startedAt" | "pid" | "workerId">[]; finished: RemoteAttemptRecord[] }> {
    return takeRemoteUpdates(this.db, this.features.maxParameters, this.features.writableCtes, schedulerId, awaitingStart);
  }

  releaseRemoteAttempts(filter: { schedulerIds?: string[]; runPks?: number[] }, reason: string): Promise<{ deleted: number; orphaned: number }> {
    return releaseRemoteAttempts(this.db, filter, reason);
  }

  deleteFinishedOrphans(): Promise<number> {
    return deleteFinishedOrphans(this.db);
  }

  claimRemoteAttempts(workerId: string, queues: string[], limit: number, at: EpochMs): Promise<RemoteAttemptRecord[]> {
    return claimRemoteAttempts(this.db, this.features, workerId, queues, limit, at);
  }

  markRemoteStarted(items: { attemptId: string; workerId: string; startedAt: EpochMs; pid: number | null }[]): Promise<string[]> {
    return markRemoteStarted(this.db, this.features, items);
  }

  finishRemoteAttempts(items: RemoteAttemptEnd[]): Promise<string[]> {
    return finishRemoteAttempts(this.db, this.features, items);
  }

  finishAndTakeRemoteAttempts(items: RemoteAttemptEnd[], takeFor: string[]): Promise<{ accepted: string[]; taken: TakenRemoteEnd[] }> {
    return finishAndTakeRemoteAttempts(this.db, this.features, items, takeFor);
  }

  requeueRemoteAttempts(ids: string[], workerId: string): Promise<string[]> {
    return requeueRemoteAttempts(this.db, ids, workerId, this.now());
  }

  listRemoteCancels(workerIds: string[]): Promise<Pick<RemoteAttemptRecord, "attemptId" | "workerId" | "cancelReason">[]> {
    return listRemoteCancels(this.db, workerIds);
  }

  listWorkerAttempts(workerId: string): Promise<RemoteAttemptRecord[]> {
    return listWorkerAttempts(this.db, workerId);
  }

  getRemoteAttempt(attemptId: string): Promise<RemoteAttemptRecord | undefined> {
    return getRemoteAttempt(this.db, attemptId);
  }

  remoteQueueDepths(): Promise<QueueDepth[]> {
    return remoteQueueDepths(this.db);
  }
}
