import type { TaskInstanceRecord } from "../core/model/records.js";
import type { TaskState } from "../core/model/states.js";
import type { AttemptOutcome, AttemptReport } from "../core/ports/executor.js";
import type { ActiveRun } from "./active-run.js";
import type { StateWriter } from "./state-writer.js";

export type SensorWaitOutcome = Extract<AttemptOutcome, { kind: "reschedule" | "deferred" }>;

export function isSensorWait(o: AttemptOutcome): o is SensorWaitOutcome {
  return o.kind === "reschedule" || o.kind === "deferred";
}

/**
 * Records a sensor's "not yet" in reschedule or deferred mode (`key`: the task instance's tiKey). Reschedule: up_for_reschedule
 * until `at`, and the try is given back (the next poke runs as the same try, as in Airflow).
 * Deferred: the try goes on in the triggerer. Either way the worker slot is already free.
 */
export function applySensorWait(
  w: StateWriter,
  run: ActiveRun,
  key: string,
  report: AttemptReport & { outcome: SensorWaitOutcome },
  now: number,
): { ti: TaskInstanceRecord; attemptState: TaskState } {
  const ti = run.tis.get(key)!;
  const o = report.outcome;
  if (o.kind === "reschedule") {
    const sensorWait = { firstPokeAt: o.firstPokeAt, pokes: o.pokes, trigger: null };
    const patch = {
      startedAt: report.startedAt,
      endedAt: null,
      state: "up_for_reschedule" as const,
      tryNumber: Math.max(0, ti.tryNumber - 1),
      nextRetryAt: o.at,
      error: null,
      sensorWait,
    };
    return { ti: w.task(run, key, patch, now), attemptState: "up_for_reschedule" };
  }
  const sensorWait = { firstPokeAt: o.firstPokeAt, pokes: o.pokes, trigger: o.trigger };
  const patch = { startedAt: report.startedAt, endedAt: null, state: "deferred" as const, nextRetryAt: null, error: null, sensorWait };
  return { ti: w.task(run, key, patch, now), attemptState: "deferred" };
}
