import type { RunRecord } from "../core/model/records.js";
import type { Store } from "../core/ports/store.js";

/** Runs read per query when a scheduler starts. */
export const RUNNING_RUNS_PAGE = 1_000;

/**
 * The runs stored as `running`, one page at a time (newest first by id, each page after the last
 * id seen), so that start-up never holds them all in one list.
 */
export async function* runningRunPages(store: Pick<Store, "listRuns">, pageSize = RUNNING_RUNS_PAGE): AsyncGenerator<RunRecord[]> {
  let beforeId: number | undefined;
  for (;;) {
    const page = await store.listRuns({ states: ["running"], limit: pageSize, ...(beforeId === undefined ? {} : { beforeId }) });
    if (page.length > 0) yield page;
    if (page.length < pageSize) return;
    beforeId = page[page.length - 1]!.id;
  }
}
