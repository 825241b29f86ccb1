import type { RunRecord } from "../core/model/records.js";
import type { RunType } from "../core/model/states.js";
import type { RunFilter, Store } from "../core/ports/store.js";
import { encodeCursor } from "./cursor.js";

export interface RunPage {
  runs: RunRecord[];
  nextCursor: string | null;
}

/**
 * One page of runs, newest first, after `beforeId`. The store filters everything but the run
 * type, which is applied here while reading on in batches (RunFilter has no run-type field).
 */
export async function pageRuns(
  store: Store,
  filter: Omit<RunFilter, "beforeId" | "limit">,
  page: { limit: number; beforeId: number | undefined; runTypes?: RunType[] | undefined },
): Promise<RunPage> {
  const wanted = page.runTypes && page.runTypes.length > 0 ? new Set(page.runTypes) : null;
  const batch = wanted ? Math.max(200, page.limit * 4) : page.limit + 1;
  const found: RunRecord[] = [];
  let beforeId = page.beforeId;
  for (;;) {
    const rows = await store.listRuns({ ...filter, beforeId, limit: batch });
    for (const r of rows) {
      if (wanted === null || wanted.has(r.runType)) found.push(r);
      if (found.length > page.limit) break;
    }
    const last = rows.at(-1);
    if (found.length > page.limit || rows.length < batch || last === undefined) break;
    beforeId = last.id;
  }
  const runs = found.slice(0, page.limit);
  const lastOfPage = runs.at(-1);
  return { runs, nextCursor: found.length > page.limit && lastOfPage ? encodeCursor(lastOfPage.id) : null };
}
