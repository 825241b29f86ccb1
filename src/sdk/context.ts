/** What every task receives. `P` is the DAG's params type. */
export interface TaskContext<P = Record<string, unknown>> {
  dagId: string;
  runId: string;
  taskId: string;
  runType: "scheduled" | "manual" | "backfill";
  /** Start of the data interval for scheduled runs; the trigger time for manual runs; null if none. */
  logicalDate: Date | null;
  dataInterval: { start: Date | null; end: Date | null };
  /** logicalDate as YYYY-MM-DD in the DAG's time zone (Airflow's `ds`); null when no logical date. */
  ds: string | null;
  /** ISO 8601 logicalDate (Airflow's `ts`). */
  ts: string | null;
  params: P;
  conf: Record<string, unknown>;
  /** 1-based attempt number. */
  tryNumber: number;
  maxTries: number;
  log: TaskLogger;
  /** Aborted when the attempt is cancelled or times out. */
  signal: AbortSignal;
}

export interface TaskLogger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}
