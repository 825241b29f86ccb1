import type { EpochMs } from "../model/records.js";

/** One local day's runs of a DAG by outcome (days without runs are absent). */
export interface DayOutcomes {
  /** Days since 1970-01-01 of the local date (in the asked time zone) of the run's logical date (its creation time when it has none). */
  day: number;
  success: number;
  failed: number;
  /** Queued or running. */
  other: number;
}

/**
 * What the DAG page's Trends tab aggregates (`GET /api/v1/dags/{dagId}/trends`; docs/ui.md#trends).
 * One statement, the same on SQLite and PostgreSQL.
 */
export interface TrendsStore {
  /** Per local day of `timeZone` (an IANA name; default UTC; an unknown name counts as UTC) from `since` on, oldest first. */
  dailyRunOutcomes(dagId: string, since: EpochMs, timeZone?: string): Promise<DayOutcomes[]>;
}
