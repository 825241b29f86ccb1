import type { Generated } from "kysely";

interface AttemptColumns {
  dag_id: string;
  task_id: string;
  run_id: string;
  run_pk: number;
  map_index: number;
  try_number: number;
  metric: string;
  value: number;
}

/** Migration 0012: one row per successful attempt and metric (docs/anomalies.md). */
export interface TaskMetricsTable extends AttemptColumns {
  id: Generated<number>;
  at: number;
}

/** Migration 0012: one row per anomalous value. */
export interface AnomaliesTable extends AttemptColumns {
  id: Generated<number>;
  median: number;
  mad: number;
  score: number;
  points: number;
  season: string;
  detected_at: number;
}
