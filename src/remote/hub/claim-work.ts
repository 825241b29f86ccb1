import type { EpochMs } from "../../core/model/records.js";
import type { RemoteAttemptRecord } from "../../core/model/workers.js";
import type { WorkerStore } from "../../core/ports/worker-store.js";
import type { WorkerConnection } from "./worker-connection.js";

/**
 * One claim pass: for each connected worker with room (most room first, so an idle worker is
 * not starved by a busy one), claims up to its room of `queued` attempts of its queues and hands
 * them to `deliver` (one `run` message per worker). A claim that returned fewer rows than asked
 * emptied those queues: workers that listen only on emptied queues are not asked again in this
 * pass, so N idle workers cost one query, not N. `deliver` returns false when the worker went
 * away meanwhile; those attempts go straight back to `queued` (it never saw them).
 */
export async function claimWork(
  store: Pick<WorkerStore, "claimRemoteAttempts" | "requeueRemoteAttempts">,
  connections: WorkerConnection[],
  now: EpochMs,
  deliver: (connection: WorkerConnection, rows: RemoteAttemptRecord[]) => boolean,
): Promise<{ requeued: number }> {
  const emptied = new Set<string>();
  let requeued = 0;
  const candidates = connections.filter((c) => c.room() > 0).sort((a, b) => b.room() - a.room());
  for (const connection of candidates) {
    const room = connection.room();
    const queues = connection.hello?.queues ?? [];
    if (room <= 0 || queues.every((q) => emptied.has(q))) continue;
    const rows = await store.claimRemoteAttempts(connection.workerId, queues, room, now);
    if (rows.length < room) for (const q of queues) emptied.add(q);
    if (rows.length === 0 || deliver(connection, rows)) continue;
    requeued += (await store.requeueRemoteAttempts(rows.map((r) => r.attemptId), connection.workerId)).length;
  }
  return { requeued };
}
