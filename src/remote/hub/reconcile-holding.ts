import type { EpochMs } from "../../core/model/records.js";
import type { RemoteAttemptEnd } from "../../core/model/workers.js";
import type { HeldAttempt } from "./worker-connection.js";

export interface Reconciled {
  /** Still the worker's and held by it: it goes on with them (`welcome.keep`). */
  keep: string[];
  /** Assigned to it but never started and not held: back to `queued` (it never got them). */
  requeue: string[];
  /** Running by the database but not held by the worker any more: finished as crashed. */
  crashed: RemoteAttemptEnd[];
}

/**
 * A (re)connecting worker's `holding` against what the database says is assigned to it (`owned`,
 * after the results it finished while disconnected were recorded).
 */
export function reconcileHolding(workerId: string, owned: ReadonlyMap<string, HeldAttempt>, holding: readonly string[], now: EpochMs): Reconciled {
  const held = new Set(holding);
  const out: Reconciled = { keep: [], requeue: [], crashed: [] };
  for (const [id, attempt] of owned) {
    if (held.has(id)) out.keep.push(id);
    else if (!attempt.started) out.requeue.push(id);
    else {
      out.crashed.push({
        attemptId: id,
        workerId,
        outcome: { kind: "crashed", error: `worker ${workerId} reconnected without attempt ${id}: it no longer runs it` },
        startedAt: attempt.record.startedAt ?? now,
        endedAt: now,
        pid: attempt.record.pid,
      });
    }
  }
  return out;
}
