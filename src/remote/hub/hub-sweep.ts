import type { Clock } from "../../core/ports/clock.js";
import type { RemoteSignal } from "../../core/ports/remote-signal.js";
import type { WorkerStore } from "../../core/ports/worker-store.js";
import type { AttemptLogs } from "./attempt-logs.js";
import { declareLost, lostError } from "./declare-lost.js";
import { push } from "./hub-reports.js";
import type { WorkerConnection } from "./worker-connection.js";

export interface SweepDeps {
  store: WorkerStore;
  signal: RemoteSignal;
  clock: Clock;
  lostAfterMs: number;
  logs: AttemptLogs;
  connections: ReadonlySet<WorkerConnection>;
  byWorker: ReadonlyMap<string, WorkerConnection>;
  /** Tells the scheduler that owns the attempt (orphans, "", have none). */
  notifyOwner(schedulerId: string): void;
  /** The worker owns nothing any more: it drops all it holds and is refused. */
  cutOff(conn: WorkerConnection, reason: string): void;
}

/**
 * One sweep of the hub (every second): declares lost the workers nobody heard from in time
 * (wherever they were connected) and cuts off those connected here; signals the schedulers
 * whose attempts that finished; closes sockets silent for that long; refuses the workers whose
 * token was revoked; and, when `orphans`, deletes finished orphans.
 */
export async function sweepWorkers(d: SweepDeps, orphans: boolean): Promise<void> {
  const now = d.clock.now();
  const lost = await declareLost(d.store, now, d.lostAfterMs);
  for (const workerId of lost.workerIds) {
    d.logs.forgetWorker(workerId);
    const conn = d.byWorker.get(workerId);
    if (conn !== undefined) d.cutOff(conn, lostError(workerId, conn.hello?.name, d.lostAfterMs));
  }
  for (const schedulerId of lost.schedulerIds) d.notifyOwner(schedulerId);
  for (const conn of d.connections) {
    if (!conn.closed && now - conn.lastHeardAt > d.lostAfterMs) conn.socket.terminate();
  }
  await refuseRevoked(d);
  if (orphans) await d.store.deleteFinishedOrphans();
}

/** Workers whose token was revoked (or deleted) are refused and disconnected. */
async function refuseRevoked(d: SweepDeps): Promise<void> {
  const byToken = new Map<string, WorkerConnection[]>();
  for (const conn of d.connections) if (!conn.closed) push(byToken, conn.token.id, conn);
  for (const [tokenId, conns] of byToken) {
    const token = await d.store.getWorkerToken(tokenId);
    if (token !== undefined && token.revokedAt === null) continue;
    for (const conn of conns) conn.refuse(`worker token ${tokenId} was revoked: create a new one with \`baton tokens create --worker\``);
  }
}
