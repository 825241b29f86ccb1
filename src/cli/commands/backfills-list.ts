import { listBackfillsWithProgress } from "../../api/views/backfill-progress.js";
import { printJson, printTable } from "../output.js";
import { withRuntime, type CommonOptions } from "../runtime.js";

export interface BackfillsListOptions extends CommonOptions {
  dag?: string;
}

/**
 * `baton backfills list [--dag D]`: backfills, newest first, with their runs' progress (a paused
 * one's state reads "running (paused)"); `--json` prints what GET /api/v1/backfills answers (its
 * `backfills` array, `paused` included).
 */
export async function backfillsList(opts: BackfillsListOptions): Promise<number> {
  return withRuntime(opts, async (rt) => {
    const list = await listBackfillsWithProgress(rt.store, opts.dag === undefined ? {} : { dagId: opts.dag });
    if (opts.json) {
      printJson(list);
      return 0;
    }
    printTable(
      list.map((b) => {
        const p = b.progress;
        const done = p.success + p.failed;
        const states = [p.running && `${p.running} running`, p.queued && `${p.queued} queued`, p.failed && `${p.failed} failed`].filter(Boolean).join(", ");
        // A paused backfill that has not ended reads "running (paused)"; `--json` has `paused`.
        const state = b.paused && (b.state === "queued" || b.state === "running") ? `${b.state} (paused)` : b.state;
        return { ...b, state, range: `${b.from} – ${b.to}`, progress: `${done}/${p.total}${states ? ` (${states})` : ""}` };
      }),
      ["id", "dagId", "state", "range", "reprocess", "maxActiveRuns", "progress", "createdAt"],
    );
    return 0;
  });
}
