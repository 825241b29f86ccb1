import type { EpochMs } from "../../core/model/records.js";
import type { WorkerStore } from "../../core/ports/worker-store.js";

export interface LostWorkers {
  /** The workers declared lost by this call. */
  workerIds: string[];
  /** The schedulers whose attempts became `finished` (running: crashed; assigned: infra_failed): to be signalled. */
  schedulerIds: Set<string>;
}

/**
 * Declares lost every active or draining worker not heard from for `lostAfterMs` (any API
 * server may: it reads `workers.last_seen_at`), and says whom to tell. The store returns only
 * the workers' ids, so their attempts are read first; a worker heard from in between is not
 * declared lost (the store checks again) and what was read for it is ignored.
 */
export async function declareLost(store: WorkerStore, now: EpochMs, lostAfterMs: number): Promise<LostWorkers> {
  const seenBefore = now - lostAfterMs;
  const candidates = (await store.listWorkers(now)).filter((w) => (w.state === "active" || w.state === "draining") && w.lastSeenAt < seenBefore);
  const none: LostWorkers = { workerIds: [], schedulerIds: new Set() };
  if (candidates.length === 0) return none;
  const names = new Map(candidates.map((w) => [w.id, w.name]));
  const attempts = new Map(await Promise.all(candidates.map(async (w) => [w.id, await store.listWorkerAttempts(w.id)] as const)));
  const workerIds = await store.declareLostWorkers(seenBefore, now, (id) => lostError(id, names.get(id), lostAfterMs));
  const out = { ...none, workerIds };
  for (const id of workerIds) {
    // Running ones finish crashed, assigned ones infra_failed (WorkerStore.declareLostWorkers): both are news for their scheduler.
    for (const a of attempts.get(id) ?? []) {
      if ((a.state === "assigned" || a.state === "running") && a.schedulerId !== "") out.schedulerIds.add(a.schedulerId);
    }
  }
  return out;
}

export function lostError(workerId: string, name: string | undefined, lostAfterMs: number): string {
  const who = name === undefined || name === workerId ? workerId : `${name} (${workerId})`;
  return `worker ${who} lost: not heard from for more than ${lostAfterMs} ms (BATON_WORKER_LOST_MS)`;
}
