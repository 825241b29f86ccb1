import type { Connection } from "../../core/model/connection.js";
import type { EpochMs } from "../../core/model/records.js";
import type { DagRunsGateway } from "../../core/ports/dag-runs-gateway.js";

/** What a check may use besides its arguments: on a worker, the task's context; in the triggerer, the scheduler's secrets. */
export interface CheckEnv {
  /** A connection by id, or parsed from a URI (anything containing "://"). */
  connection(conn: string): Promise<Connection>;
  /** Runs of other DAGs (external-task checks); null where none are offered. */
  dagRuns: DagRunsGateway | null;
  /** The time checks read (ms since the epoch); default the wall clock, a worker's. The triggerer passes its clock. */
  now?: () => number;
}

/** A check's verdict; `notBefore` lets the triggerer sleep until then rather than poll (date-time). */
export type CheckResult<T = unknown> = { done: true; value: T } | { done: false; reason?: string; notBefore?: EpochMs };

/**
 * One poke of a built-in sensor over plain JSON `args` (rendered on the worker), so that it can run
 * on a worker (poke and reschedule modes) or in the scheduler's triggerer (deferred mode).
 * Throwing FailTask fails the task at once; another error fails the attempt (retries apply).
 */
export type SensorCheck<T = unknown> = (args: Record<string, unknown>, env: CheckEnv, signal: AbortSignal) => Promise<CheckResult<T>>;
