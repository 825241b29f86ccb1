import type { DatasetEventRecord, EpochMs, NewDatasetEvent } from "../model/records.js";

export interface DatasetEventFilter {
  /** Only events of these URIs (all when absent). */
  uris?: string[];
  /** Only events with a greater id. */
  afterId?: number;
  /** Only events with a smaller id (paging backwards). */
  beforeId?: number;
  /** Newest first; at most this many (default 100). */
  limit?: number;
}

/** One dataset that has events: how many, and the latest. */
export interface DatasetSummary {
  uri: string;
  eventCount: number;
  lastEvent: DatasetEventRecord;
}

/**
 * Dataset events and the per-DAG cursors of dataset-scheduled DAGs. Implemented by src/store on
 * SQLite and PostgreSQL; proven by the datasets contract.
 */
export interface DatasetStore {
  /**
   * Appends events and returns the ones stored, in order. An event of a task attempt already
   * recorded for the same URI (same dag, run, task and try) is skipped, so recording is
   * idempotent under retries; external events (source null) are always appended.
   */
  recordDatasetEvents(events: NewDatasetEvent[]): Promise<DatasetEventRecord[]>;
  /** Newest first. */
  listDatasetEvents(filter: DatasetEventFilter): Promise<DatasetEventRecord[]>;
  /** Every URI with at least one event (or only those of `uris`), by URI. */
  listDatasetSummaries(uris?: string[]): Promise<DatasetSummary[]>;
  /** The id of the newest event a dataset-scheduled DAG has consumed; 0 when none. */
  getDatasetCursor(dagId: string): Promise<number>;
  setDatasetCursor(dagId: string, lastEventId: number, at: EpochMs): Promise<void>;
}
