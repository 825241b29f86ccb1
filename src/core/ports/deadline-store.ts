import type { MissedDeadline, MissedDeadlineRecord } from "../model/deadlines.js";
import type { EpochMs } from "../model/records.js";

export interface MissedDeadlineFilter {
  dagId?: string;
  /** Only misses of these runs (surrogate keys). */
  runPks?: number[];
  /** Only misses detected at or after this time. */
  since?: EpochMs;
  /** Newest first by id; `beforeId` pages backwards. */
  beforeId?: number;
  /** At most this many (default 100). */
  limit?: number;
}

/**
 * Missed deadlines (docs/deadlines.md). Implemented by src/store on SQLite and PostgreSQL; proven
 * by the deadlines contract.
 */
export interface DeadlineStore {
  /**
   * Records a miss unless one is already recorded for the same run, deadline, task, map index and
   * try (insert-if-absent on that key, so several schedulers record it once). Returns the stored
   * record when this call inserted it, else undefined.
   */
  recordMissedDeadline(miss: MissedDeadline): Promise<MissedDeadlineRecord | undefined>;
  /** Newest first. */
  listMissedDeadlines(filter: MissedDeadlineFilter): Promise<MissedDeadlineRecord[]>;
}
