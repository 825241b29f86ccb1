/** Epoch milliseconds (records.ts's EpochMs; not imported: records.ts imports this file). */
type EpochMs = number;

/**
 * A sensor check the scheduler can run without user code: plain JSON, rendered on the worker
 * (templates resolved, functions called) and stored with the task instance while it is deferred.
 * Connections are named by id or URI, never resolved: the triggerer looks them up itself.
 */
export interface TriggerSpec {
  /** Which check runs it: "file", "http", "sql", "date_time" (src/operators/sensors/sensor-checks.ts). */
  kind: string;
  /** The check's arguments. */
  args: Record<string, unknown>;
  pokeIntervalMs: number;
  exponentialBackoff: boolean;
  /** With exponentialBackoff: cap on a single wait; null for none. */
  maxWaitMs: number | null;
  /** The sensor's timeout, counted from `firstPokeAt`. */
  timeoutMs: number;
  /** `firstPokeAt + timeoutMs`: after the last check at this moment the sensor times out. */
  timeoutAt: EpochMs;
  /** On timeout end as skipped instead of failed. */
  softFail: boolean;
  /** Seeds the backoff jitter: `<dag>#<task>#<first poke ISO time>`. */
  key: string;
  /** Nothing can change before then (a date-time target): the first check waits until it, not the poke interval. */
  notBefore?: EpochMs;
}

/**
 * What a sensor in reschedule or deferred mode carries between pokes, stored with its task
 * instance: the first poke of the current try (the timeout counts from it across reschedules),
 * the pokes made so far and, when deferred, the check the triggerer runs.
 */
export interface SensorWait {
  firstPokeAt: EpochMs;
  pokes: number;
  trigger: TriggerSpec | null;
}
