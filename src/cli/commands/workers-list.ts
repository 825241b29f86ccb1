import { workersOverview } from "../../api/views/worker-views.js";
import { parseIsoDate } from "../../core/model/iso-date.js";
import { printJson, printTable } from "../output.js";
import { withRuntime, type CommonOptions } from "../runtime.js";

const DAY_MS = 86_400_000;

/** "12s ago", "3m ago", "2h ago": how long since a worker was last heard from. */
function ago(isoTime: string | null, now: number): string {
  if (isoTime === null) return "";
  const s = Math.max(0, Math.round((now - Date.parse(isoTime)) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.round(s / 60)}m ago`;
  return `${Math.round(s / 3600)}h ago`;
}

/**
 * `baton workers list`: remote workers (active and draining, then the others seen in the last
 * 24 hours or since `--since`) and the queues' depths; `--json` prints what GET /api/v1/workers answers.
 */
export async function workersList(opts: CommonOptions & { since?: string }): Promise<number> {
  return withRuntime(opts, async (rt) => {
    const now = Date.now();
    const since = opts.since === undefined ? now - DAY_MS : parseIsoDate(opts.since, "UTC");
    const overview = await workersOverview(rt.store.workers, since);
    if (opts.json) {
      printJson(overview);
      return 0;
    }
    printTable(
      overview.workers.map((w) => ({
        ...w,
        running: `${w.running}/${w.concurrency}`,
        lastSeen: ago(w.lastSeenAt, now),
        state: w.reason ? `${w.state} (${w.reason})` : w.state,
      })),
      ["name", "state", "queues", "running", "version", "lastSeen", "host", "id"],
    );
    if (overview.queues.length > 0) {
      process.stdout.write("\n");
      printTable(
        overview.queues.map((q) => ({ ...q, note: q.queued > 0 && q.workers === 0 ? "no worker listens on this queue" : "" })),
        ["queue", "queued", "running", "workers", "note"],
      );
    }
    return 0;
  });
}
