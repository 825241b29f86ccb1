import type { Connection } from "../core/model/connection.js";
import type { AlertAnomaly } from "../core/model/alerts.js";

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
  /**
   * The DAG's latest earlier run (by logical date) that succeeded, of any run type; null when
   * there is none or this run has no logical date. Airflow's `prev_data_interval_start_success`,
   * `prev_data_interval_end_success`, `prev_start_date_success` and `prev_end_date_success`
   * (the same names are template variables). It is the run known when this run started, or one
   * that succeeded while it ran.
   *
   * @example
   * // Load what changed since the last good load (or everything the first time).
   * const since = ctx.prevSuccess?.dataInterval.end ?? new Date(0);
   */
  prevSuccess: PrevSuccess | null;
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
  /**
   * OpenTelemetry tracing inside the task (docs/tracing.md). When tracing is on, the attempt's
   * span is the active span while the task runs: spans made here, or with the standard API
   * (`trace.getTracer(…).startActiveSpan`), are its children. When it is off, spans cost nothing.
   *
   * @example
   * const rows = await ctx.trace.span("load", async (span) => {
   *   span.setAttribute("table", "sales");
   *   return loadSales();
   * });
   * await fetch(url, { headers: ctx.trace.traceparent ? { traceparent: ctx.trace.traceparent } : {} });
   */
  trace: TaskTrace;
  /**
   * Records a number this attempt measured, e.g. the rows it loaded (docs/anomalies.md). Kept with
   * the attempt when it succeeds; a value far outside the task's usual values for that name is
   * recorded as an anomaly. `name`: 1–64 letters, digits, `_`, `.`, `-`, starting with a letter
   * (`duration` is reserved: Baton records it); `value`: a finite number. The last value of a name
   * wins; at most 50 names per attempt. Throws a TypeError on a bad name or value.
   *
   * @example
   * const rows = await loadSales();
   * ctx.metric("rows", rows.length);
   */
  metric(name: string, value: number): void;
}

/** What a task sees of the previous successful run ({@link TaskContext.prevSuccess}). */
export interface PrevSuccess {
  runId: string;
  logicalDate: Date | null;
  dataInterval: { start: Date | null; end: Date | null };
  /** When the run started (Airflow's `prev_start_date_success`). */
  startedAt: Date | null;
  /** When the run ended (Airflow's `prev_end_date_success`). */
  endedAt: Date | null;
}

/** `ctx.trace`: spans under the attempt's span, and its W3C trace context. */
export interface TaskTrace {
  /** W3C `traceparent` of the active span (the attempt's, or one made by `span` around this call); null when tracing is off. */
  readonly traceparent: string | null;
  /** Runs `fn` in a new active span named `name`, ended when `fn` settles; a throw sets the span's error status, records the exception and is rethrown. */
  span<T>(name: string, fn: (span: TaskSpan) => T | Promise<T>, attributes?: SpanAttributes): Promise<T>;
}

/** A span attribute's value (OpenTelemetry's `AttributeValue`). */
export type SpanAttributeValue =
  string | number | boolean | Array<null | undefined | string> | Array<null | undefined | number> | Array<null | undefined | boolean>;

/** Span attributes (OpenTelemetry's `Attributes`). */
export type SpanAttributes = Record<string, SpanAttributeValue | undefined>;

/**
 * The span `ctx.trace.span` gives its function: the part of OpenTelemetry's `Span` a task uses,
 * declared here so that Baton's types do not need `@opentelemetry/api` (an optional peer
 * dependency). With tracing on it is the SDK's span itself; otherwise one that records nothing.
 */
export interface TaskSpan {
  setAttribute(key: string, value: SpanAttributeValue): TaskSpan;
  setAttributes(attributes: SpanAttributes): TaskSpan;
  addEvent(name: string, attributes?: SpanAttributes): TaskSpan;
  /** `code`: 0 unset, 1 ok, 2 error (OpenTelemetry's `SpanStatusCode`). */
  setStatus(status: { code: 0 | 1 | 2; message?: string }): TaskSpan;
  updateName(name: string): TaskSpan;
  recordException(exception: Error | string): void;
  isRecording(): boolean;
  spanContext(): { traceId: string; spanId: string; traceFlags: number };
  end(): void;
}

export interface TaskLogger {
  debug(msg: string, data?: Record<string, unknown>): void;
  info(msg: string, data?: Record<string, unknown>): void;
  warn(msg: string, data?: Record<string, unknown>): void;
  error(msg: string, data?: Record<string, unknown>): void;
}

/**
 * What a callback function receives (`onFailure: (ctx) => …`). `P` is the DAG's params type.
 * Task-level callbacks have `taskId`, `mapIndex` and `tryNumber` of the task instance; DAG-level
 * ones have `taskId` null. See docs/alerts.md.
 */
export interface CallbackContext<P = Record<string, unknown>> {
  event: "failure" | "success" | "retry" | "execute" | "skipped" | "deadline_missed" | "anomaly";
  dagId: string;
  runId: string;
  logicalDate: Date | null;
  /** null for a DAG-level callback. */
  taskId: string | null;
  /** -1 unless a copy of a mapped task. */
  mapIndex: number;
  /** The task instance's try (0 for a DAG-level callback). */
  tryNumber: number;
  /** The task instance's or run's state ("failed", "up_for_retry", "success", "running", "skipped"…). */
  state: string;
  /** The failure: its message and the user's stack trace (when the task threw one). */
  error: { message: string; stack: string | null } | null;
  /** The run in the UI, and the attempt's log (task-level); absolute when BATON_BASE_URL is set. */
  runUrl: string;
  logUrl: string | null;
  /** `onAnomaly` only: the value far outside its baseline (metric, value, median, MAD, score, points, season, the anomaly's id). */
  anomaly?: AlertAnomaly;
  params: P;
  conf: Record<string, unknown>;
  /** Writes to the callback log (`baton.callbacks` of the worker, and the attempt log for task-level ones). */
  log: TaskLogger;
  /** Aborted when the callback times out (`callbackTimeout`). */
  signal: AbortSignal;
}
