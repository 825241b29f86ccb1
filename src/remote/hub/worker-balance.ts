import type { WorkerConnection } from "./worker-connection.js";

// Sharing attempts out among connected workers: which one gets a new attempt, and recalling
// unstarted attempts from a hoarding worker for an idle one (used by WorkerHub).

/**
 * Against hoarding: a worker with idle processes whose queues are empty (`emptied` by the claims
 * just made) asks, with `recall`, the worker holding the most attempts it has not started (of a
 * queue the idle one serves, beyond what its own idle processes will start) for some of them
 * back: up to the idle processes, at most half of that surplus, newest first. One recall per
 * worker at a time; its `handback` requeues them, and the next claim gives them to the idle one.
 */
export function recallForIdle(workers: WorkerConnection[], emptied: ReadonlySet<string>): void {
  for (const idle of workers) {
    let want = idle.idleSlots();
    const queues = new Set(idle.hello?.queues ?? []);
    if (want <= 0 || ![...queues].every((q) => emptied.has(q))) continue;
    const victims = workers
      .filter((v) => v !== idle && !v.recalling && v.phase === "ready")
      .map((v) => ({
        v,
        ids: v
          .unstarted()
          .filter((id) => queues.has(v.held.get(id)!.record.queue))
          .slice(0, surplus(v)),
      }))
      .filter((x) => x.ids.length > 0)
      .sort((a, b) => b.ids.length - a.ids.length);
    for (const { v, ids } of victims) {
      if (want <= 0) break;
      const take = ids.slice(0, Math.min(want, Math.ceil(ids.length / 2)));
      v.recalling = true;
      v.send({ t: "recall", ids: take });
      want -= take.length;
    }
  }
}

/** Of a worker's attempts not started, how many its own idle processes will not start now. */
function surplus(conn: WorkerConnection): number {
  const running = conn.held.size - conn.unstarted().length;
  const idleProcesses = Math.max(0, (conn.hello?.concurrency ?? 0) - running);
  return Math.max(0, conn.unstarted().length - idleProcesses);
}

/** The connection with the most of `score` (> 0), or undefined. */
export function best(conns: WorkerConnection[], score: (c: WorkerConnection) => number): WorkerConnection | undefined {
  let pick: WorkerConnection | undefined;
  let most = 0;
  for (const c of conns) {
    const n = score(c);
    if (n > most) [pick, most] = [c, n];
  }
  return pick;
}
