import type { Connection } from "../core/model/connection.js";

/** What every task receives. `P` is the DAG's params type. */
export interface TaskContext<P = Record<string, unknown>> {
  dagId: string;
  runId: string;
  taskId: string;
  runType: "scheduled" | "manual" | "backfill" | "dataset" | "event";
  /** Start of the data interval for scheduled runs; the trigger time for manual runs; null if none. */
  logicalDate: Date | null;
  dataInterval: { start: Date | null; end: Date | null };
  /** logicalDate as YYYY-MM-DD in the DAG's time zone (Airflow's `ds`); null when no logical date. */
  ds: string | null;
  /** ISO 8601 logicalDate (Airflow's `ts`). */
  ts: string | null;
  params: P;
  conf: Record<string, unknown>;
  /** For a copy of a mapped task, its index in the expansion (0…N-1); -1 for any other task. */
  mapIndex: number;
  /** 1-based attempt number. */
  tryNumber: number;
  maxTries: number;
  log: TaskLogger;
  /** Aborted when the attempt is cancelled or times out. */
  signal: AbortSignal;
  /**
   * The connection named `id`, decrypted: from the environment variable `BATON_CONN_<ID>` (a
   * URI) if set, else from the store (`baton connections add`). Its password and sensitive
   * extras are masked (`***`) in this attempt's log from then on. Rejects with NotFoundError
   * naming where it looked.
   *
   * @example
   * const wh = await ctx.connection("warehouse");
   * const client = new pg.Client({ host: wh.host ?? undefined, port: wh.port ?? undefined,
   *   user: wh.login ?? undefined, password: wh.password ?? undefined, database: wh.schema ?? undefined });
   */
  connection(id: string): Promise<Connection>;
  /**
   * The variable named `key`: from `BATON_VAR_<KEY>` if set, else from the store (`baton
   * variables set`). When the key looks secret (contains password, secret, token, api_key…),
   * the value is masked (`***`) in this attempt's log. Rejects with NotFoundError when unset.
   *
   * @example
   * const endpoint = await ctx.variable("reports_endpoint");
   */
  variable(key: string): Promise<string>;
}

export interface TaskLogger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}
