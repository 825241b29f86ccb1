import type { QueueDepth, RemoteAttemptRecord, WorkerRecord, WorkerTokenRecord } from "../../core/model/workers.js";
import type { WorkerStore } from "../../core/ports/worker-store.js";
import { iso } from "./iso.js";

/** Workers that count as listening on their queues: active ones (a draining one takes no new work). */
const LISTENING = new Set<WorkerRecord["state"]>(["active"]);
/** Workers still connected, which may hold attempts and use their token. */
const CONNECTED = new Set<WorkerRecord["state"]>(["active", "draining"]);

function workerAttemptView(a: RemoteAttemptRecord) {
  return {
    attemptId: a.attemptId,
    dagId: a.request.context.dagId,
    runId: a.request.context.runId,
    taskId: a.request.taskId,
    mapIndex: a.request.mapIndex,
    tryNumber: a.request.tryNumber,
    state: a.state,
    startedAt: iso(a.startedAt),
  };
}

function workerView(w: WorkerRecord, tokenName: string | null, attempts: RemoteAttemptRecord[]) {
  return {
    id: w.id,
    name: w.name,
    host: w.host,
    pid: w.pid,
    queues: w.queues,
    concurrency: w.concurrency,
    running: w.running,
    version: w.version,
    state: w.state,
    startedAt: iso(w.startedAt),
    lastSeenAt: iso(w.lastSeenAt),
    stateChangedAt: iso(w.stateChangedAt),
    reason: w.reason,
    tokenId: w.tokenId,
    tokenName,
    attempts: attempts.map(workerAttemptView),
  };
}

export interface QueueView {
  queue: string;
  queued: number;
  running: number;
  /** Active workers listening on it. */
  workers: number;
}

/** Queue depths with the active workers listening on each; a queue with workers and no attempts is listed too. By name. */
export function queueViews(depths: QueueDepth[], workers: WorkerRecord[]): QueueView[] {
  const out = new Map<string, QueueView>();
  const row = (queue: string): QueueView => {
    let r = out.get(queue);
    if (!r) out.set(queue, (r = { queue, queued: 0, running: 0, workers: 0 }));
    return r;
  };
  for (const d of depths) Object.assign(row(d.queue), { queued: d.queued, running: d.running });
  for (const w of workers) if (LISTENING.has(w.state)) for (const q of new Set(w.queues)) row(q).workers++;
  return [...out.values()].sort((a, b) => a.queue.localeCompare(b.queue));
}

/**
 * What `GET /api/v1/workers` and `baton workers list` show: active and draining workers, then
 * the others seen since `since`, each with the attempts it holds, and every queue's depth.
 */
export async function workersOverview(store: WorkerStore, since: number) {
  const [workers, tokens, depths] = await Promise.all([store.listWorkers(since), store.listWorkerTokens(), store.remoteQueueDepths()]);
  const tokenNames = new Map(tokens.map((t) => [t.id, t.name]));
  const attempts = await Promise.all(workers.map((w) => (CONNECTED.has(w.state) ? store.listWorkerAttempts(w.id) : Promise.resolve([]))));
  return {
    workers: workers.map((w, i) => workerView(w, tokenNames.get(w.tokenId) ?? null, attempts[i] ?? [])),
    queues: queueViews(depths, workers),
  };
}

/** A worker token without its secret hash (which never leaves the store). */
export function workerTokenSummary(t: WorkerTokenRecord) {
  return {
    id: t.id,
    name: t.name,
    queues: t.queues,
    createdBy: t.createdBy,
    createdAt: iso(t.createdAt),
    lastSeenAt: iso(t.lastSeenAt),
    revokedAt: iso(t.revokedAt),
  };
}

/** A token as listed: its summary and the workers connected with it now. */
function workerTokenView(t: WorkerTokenRecord, workers: WorkerRecord[]) {
  return {
    ...workerTokenSummary(t),
    workers: workers.filter((w) => w.tokenId === t.id && CONNECTED.has(w.state)).map((w) => ({ id: w.id, name: w.name, host: w.host, state: w.state })),
  };
}

/** Every worker token, newest first, with its connected workers. */
export async function workerTokensOverview(store: WorkerStore, now: number) {
  // Active and draining workers are listed whatever `since`; `now` leaves the others out.
  const [tokens, workers] = await Promise.all([store.listWorkerTokens(), store.listWorkers(now)]);
  return tokens.map((t) => workerTokenView(t, workers));
}
