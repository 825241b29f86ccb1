import type { Selectable } from "kysely";
import type { AttemptOutcome, AttemptRequest } from "../../core/ports/executor.js";
import type { RemoteAttemptRecord, RemoteAttemptState, WorkerRecord, WorkerState, WorkerTokenRecord } from "../../core/model/workers.js";
import type { RemoteAttemptsTable, WorkersTable, WorkerTokensTable } from "../schema/worker-tables.js";
import { parseJsonColumn } from "./json-column.js";

const num = (v: number | null): number | null => (v === null ? null : Number(v));

export function toWorkerTokenRecord(r: Selectable<WorkerTokensTable>): WorkerTokenRecord {
  return {
    id: r.id,
    name: r.name,
    secretHash: r.secret_hash,
    queues: r.queues === null ? null : parseJsonColumn<string[]>(r.queues, `worker_tokens.queues (id ${r.id})`),
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
    lastSeenAt: num(r.last_seen_at),
    revokedAt: num(r.revoked_at),
  };
}

export function toWorkerTokenRow(t: WorkerTokenRecord): WorkerTokensTable {
  return {
    id: t.id,
    name: t.name,
    secret_hash: t.secretHash,
    queues: t.queues === null ? null : JSON.stringify(t.queues),
    created_by: t.createdBy,
    created_at: t.createdAt,
    last_seen_at: t.lastSeenAt,
    revoked_at: t.revokedAt,
  };
}

export function toWorkerRecord(r: Selectable<WorkersTable>): WorkerRecord {
  return {
    id: r.id,
    name: r.name,
    host: r.host,
    pid: Number(r.pid),
    tokenId: r.token_id,
    queues: parseJsonColumn<string[]>(r.queues, `workers.queues (id ${r.id})`),
    concurrency: Number(r.concurrency),
    running: Number(r.running),
    version: r.version,
    state: r.state as WorkerState,
    startedAt: Number(r.started_at),
    lastSeenAt: Number(r.last_seen_at),
    stateChangedAt: Number(r.state_changed_at),
    reason: r.reason,
  };
}

export function toWorkerRow(w: WorkerRecord): WorkersTable {
  return {
    id: w.id,
    name: w.name,
    host: w.host,
    pid: w.pid,
    token_id: w.tokenId,
    queues: JSON.stringify(w.queues),
    concurrency: w.concurrency,
    running: w.running,
    version: w.version,
    state: w.state,
    started_at: w.startedAt,
    last_seen_at: w.lastSeenAt,
    state_changed_at: w.stateChangedAt,
    reason: w.reason,
  };
}

/**
 * The `outcome` column of a row not yet finished may hold the outcome to finish it with if it
 * never runs (see cancelRemoteAttempt); the record shows an outcome only once finished.
 */
export function toRemoteAttemptRecord(r: Selectable<RemoteAttemptsTable>): RemoteAttemptRecord {
  const where = `remote_attempts (attempt ${r.attempt_id})`;
  const state = r.state as RemoteAttemptState;
  return {
    attemptId: r.attempt_id,
    runPk: Number(r.run_pk),
    schedulerId: r.scheduler_id,
    queue: r.queue,
    request: parseJsonColumn<AttemptRequest>(r.request, `${where}.request`),
    state,
    workerId: r.worker_id,
    cancelReason: r.cancel_reason,
    createdAt: Number(r.created_at),
    assignedAt: num(r.assigned_at),
    startedAt: num(r.started_at),
    endedAt: num(r.ended_at),
    pid: num(r.pid),
    outcome: state === "finished" && r.outcome !== null ? parseJsonColumn<AttemptOutcome>(r.outcome, `${where}.outcome`) : null,
  };
}
