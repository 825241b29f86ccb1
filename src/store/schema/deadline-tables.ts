import type { Generated } from "kysely";

/** Migration 0011: one row per missed deadline (docs/deadlines.md). */
export interface MissedDeadlinesTable {
  id: Generated<number>;
  dag_id: string;
  run_id: string;
  run_pk: number;
  /** '' for a run's deadline. */
  task_id: string;
  map_index: number;
  try_number: number;
  deadline_index: number;
  description: string;
  due_at: number;
  detected_at: number;
}
