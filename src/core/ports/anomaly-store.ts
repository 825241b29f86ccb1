import type { AttemptMetrics, Anomaly, AnomalyRecord } from "../anomaly/anomaly.js";
import type { MetricPoint } from "../anomaly/robust-baseline.js";
import type { EpochMs } from "../model/records.js";

export interface AnomalyFilter {
  dagId?: string;
  /** Only those detected at or after this time. */
  since?: EpochMs;
  /** Newest first by id; `beforeId` pages backwards. */
  beforeId?: number;
  /** At most this many (default 100). */
  limit?: number;
}

/**
 * Task metrics per attempt and the anomalies found in them (docs/anomalies.md). Implemented by
 * src/store on SQLite and PostgreSQL; proven by the anomalies contract.
 */
export interface AnomalyStore {
  /** Stores an attempt's values; values already stored for the attempt and name are kept (a repeat is a no-op). */
  recordAttemptMetrics(metrics: AttemptMetrics): Promise<void>;
  /** The task's last `limit` values of `metric` from attempts started before `before`, newest first. */
  metricHistory(query: { dagId: string; taskId: string; metric: string; before: EpochMs; limit: number }): Promise<MetricPoint[]>;
  /** Records an anomaly unless one is stored for the same attempt and metric; the record when this call inserted it. */
  recordAnomaly(anomaly: Anomaly): Promise<AnomalyRecord | undefined>;
  /** Newest first. */
  listAnomalies(filter: AnomalyFilter): Promise<AnomalyRecord[]>;
  /** Anomalies per DAG detected at or after `since` (DAGs without any are absent). */
  countAnomaliesByDag(since: EpochMs): Promise<Record<string, number>>;
}
