import type { EpochMs } from "../../core/model/records.js";
import type { RemoteAttemptRecord } from "../../core/model/workers.js";
import type { WorkerStore } from "../../core/ports/worker-store.js";
import type { WorkerConnection } from "./worker-connection.js";

/**
 * One claim pass over the connected workers, in two rounds: first each worker gets what it can
 * start at once (its idle processes, most idle first), then each fills its `prefetch` (most room
 * first). So a burst of attempts is spread over the idle workers instead of filling the first
 * one's prefetch while the others wait. Each claim takes up to the asked number of `queued`
 * attempts of the worker's queues and hands them to `deliver` (one `run` message per claim). A
 * claim that returned fewer rows than asked emptied those queues: workers that listen only on
 * emptied queues are not asked again in this pass, so N idle workers cost one query, not N.
 * `deliver` returns false when the worker went away meanwhile; those attempts go straight back
 * to `queued` (it never saw them). Returns the queues claims looked at (`asked`), those found
 * empty and how many were requeued. A queue no claim looked at (every worker of it full) is in neither.
 */
export async function claimWork(
  store: Pick<WorkerStore, "claimRemoteAttempts" | "requeueRemoteAttempts">,
  connections: WorkerConnection[],
  now: EpochMs,
  deliver: (connection: WorkerConnection, rows: RemoteAttemptRecord[]) => boolean,
): Promise<{ requeued: number; asked: Set<string>; emptied: Set<string> }> {
  const asked = new Set<string>();
  const emptied = new Set<string>();
  let requeued = 0;
  const round = async (want: (c: WorkerConnection) => number): Promise<void> => {
    const candidates = connections.filter((c) => want(c) > 0).sort((a, b) => want(b) - want(a));
    for (const connection of candidates) {
      const limit = want(connection);
      const queues = connection.hello?.queues ?? [];
      if (limit <= 0 || queues.every((q) => emptied.has(q))) continue;
      for (const q of queues) asked.add(q);
      const rows = await store.claimRemoteAttempts(connection.workerId, queues, limit, now);
      if (rows.length < limit) for (const q of queues) emptied.add(q);
      if (rows.length === 0 || deliver(connection, rows)) continue;
      requeued += (
        await store.requeueRemoteAttempts(
          rows.map((r) => r.attemptId),
          connection.workerId,
        )
      ).length;
    }
  };
  await round((c) => c.idleSlots());
  await round((c) => c.room());
  return { requeued, asked, emptied };
}
