import type { AttemptOutcome, AttemptRequest, RemoteAttemptRow } from "../ports/executor.js";
import type { EpochMs } from "./records.js";

/**
 * Remote workers (docs/workers.md): `baton worker` processes on other machines that connect to
 * the API server with a worker token and run attempts of the queues they listen on.
 */

/** The queue of tasks without a `queue` option; the local pools of standalones and schedulers serve it. */
export const DEFAULT_QUEUE = "default";

/** Queue names: 1–64 of letters, digits, `_`, `-` and `.`. */
export const QUEUE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** A worker token: its own kind of credential, created by an admin, scoped to queues. */
export interface WorkerTokenRecord {
  /** Public id, 12 hex characters (the token is `batonw_<id>_<secret>`). */
  id: string;
  name: string;
  /** sha256 hex of the secret; the token text is never stored. */
  secretHash: string;
  /** Queues a worker with this token may listen on; null: any queue. */
  queues: string[] | null;
  createdBy: string | null;
  createdAt: EpochMs;
  lastSeenAt: EpochMs | null;
  /** Set when an admin revoked it: workers using it are disconnected and refused. */
  revokedAt: EpochMs | null;
}

export type WorkerState = "active" | "draining" | "lost" | "stopped";

/** One `baton worker` process as the API server saw it (one row per process start). */
export interface WorkerRecord {
  /** Chosen by the worker at start (`host:pid:random`), never reused. */
  id: string;
  /** `--name`, or the host name. */
  name: string;
  host: string;
  pid: number;
  tokenId: string;
  queues: string[];
  /** Attempts it runs at once (`--concurrency`). */
  concurrency: number;
  /** Attempts it holds now (assigned or running), as of its last heartbeat. */
  running: number;
  /** Baton's version on the worker. */
  version: string;
  state: WorkerState;
  startedAt: EpochMs;
  /** The API server's clock at the last message or heartbeat from the worker. */
  lastSeenAt: EpochMs;
  /** When it was declared lost, stopped or began draining. */
  stateChangedAt: EpochMs;
  /** Why it is lost or stopped, for operators. */
  reason: string | null;
}

export type RemoteAttemptState = "queued" | "assigned" | "running" | "finished";

/**
 * An attempt handed to remote workers: the mailbox between the scheduler that owns its run and
 * the API server the workers are connected to (docs/adr/0008-remote-workers.md). The scheduler
 * inserts it `queued`; an API server assigns it to one of its workers and records `running` and
 * `finished`; the scheduler takes the outcome and deletes the row. The attempt's own record
 * (attempts table) stays the history.
 */
export interface RemoteAttemptRecord {
  attemptId: string;
  runPk: number;
  /** The scheduler (lease id) that submitted it and takes its outcome. */
  schedulerId: string;
  queue: string;
  request: AttemptRequest;
  state: RemoteAttemptState;
  /** The worker it is assigned to (assigned, running; kept when finished). */
  workerId: string | null;
  /** The scheduler asked to stop it (run cleared, timed out, cancelled); the worker kills it. */
  cancelReason: string | null;
  createdAt: EpochMs;
  assignedAt: EpochMs | null;
  startedAt: EpochMs | null;
  endedAt: EpochMs | null;
  pid: number | null;
  outcome: AttemptOutcome | null;
}

/** A new row of the remote-attempts mailbox (defined with the Executor port, which hands such rows to the scheduler's commit). */
export type NewRemoteAttempt = RemoteAttemptRow;

/** What the API server reports for one attempt it finished (the worker's report, or "worker lost"). */
export interface RemoteAttemptEnd {
  attemptId: string;
  workerId: string;
  outcome: AttemptOutcome;
  startedAt: EpochMs;
  endedAt: EpochMs;
  pid: number | null;
}

/** Queue depth, for `/api/v1/workers`, the explain view and metrics. */
export interface QueueDepth {
  queue: string;
  queued: number;
  running: number;
}
