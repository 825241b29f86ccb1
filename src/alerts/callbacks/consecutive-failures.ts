import type { RunRecord } from "../../core/model/records.js";
import type { Store } from "../../core/ports/store.js";

/**
 * How many of the DAG's finished runs up to `run` (by id, newest first) failed in a row, counting
 * at most `atLeast` (enough to decide a policy). Read from the store, so every scheduler (and a
 * restarted one) counts the same; runs still queued or running are passed over.
 */
export async function consecutiveFailures(store: Pick<Store, "listRuns">, run: RunRecord, atLeast: number): Promise<number> {
  let count = 0;
  let beforeId = run.id + 1;
  for (;;) {
    const page = await store.listRuns({ dagId: run.dagId, beforeId, limit: Math.max(atLeast + 10, 50) });
    for (const r of page) {
      if (r.state !== "success" && r.state !== "failed") continue;
      if (r.state === "success") return count;
      if (++count >= atLeast) return count;
    }
    if (page.length === 0) return count;
    beforeId = page[page.length - 1]!.id;
  }
}
