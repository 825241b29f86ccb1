import type { SchedulerLeases } from "../core/ports/scheduler-leases.js";

/**
 * The DAGs this scheduler owns (docs/adr/0007): only the owner of a DAG creates its runs,
 * promotes its queued runs, holds its active runs and applies commands about them, so the
 * per-DAG limits (maxActiveRuns, maxActiveTasks, maxActiveCopies, depends_on_past) hold across
 * schedulers without coordination. Each tick it claims up to a fair share, ceil(DAGs / live
 * schedulers), and gives back DAGs beyond share + 1 that have no run in its memory. A sole
 * scheduler (SQLite) owns every DAG.
 */
export class DagOwnership {
  #owned = new Set<string>();

  constructor(
    private readonly leases: SchedulerLeases,
    private readonly schedulerId: string,
    private readonly sole: boolean,
  ) {}

  owns(dagId: string): boolean {
    return this.#owned.has(dagId);
  }

  get owned(): ReadonlySet<string> {
    return this.#owned;
  }

  /**
   * Re-reads what this scheduler owns, claims or gives back DAGs towards the fair share, and
   * returns the DAGs it owns now and did not before (their running runs are to be adopted).
   * `busy(dagId)`: the DAG has runs in this scheduler's memory (never given back).
   */
  async rebalance(dagCount: number, liveSchedulers: number, busy: (dagId: string) => boolean): Promise<string[]> {
    const before = this.#owned;
    const now = new Set(await this.leases.listOwnedDags(this.schedulerId));
    const share = this.sole ? dagCount : Math.ceil(dagCount / Math.max(1, liveSchedulers));
    if (now.size < share) {
      for (const dagId of await this.leases.claimDags(this.schedulerId, share - now.size)) now.add(dagId);
    } else if (now.size > share + 1) {
      const extra = [...now].filter((d) => !busy(d)).slice(0, now.size - share);
      await this.leases.releaseDags(this.schedulerId, extra);
      for (const d of extra) now.delete(d);
    }
    this.#owned = now;
    return [...now].filter((d) => !before.has(d));
  }
}
