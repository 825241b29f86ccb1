import { BatonError } from "../errors.js";
import type { EpochMs } from "../model/records.js";
import type { SensorWait, TriggerSpec } from "./sensor-wait.js";

const RESCHEDULE = Symbol.for("baton.reschedule-sensor");
const DEFER = Symbol.for("baton.defer-sensor");
const RESUME = Symbol.for("baton.sensor-resume");

/**
 * Thrown by a sensor in reschedule mode after a "not yet": the attempt ends without using a try,
 * its worker slot is freed, and the scheduler starts it again at `at`. Internal: the task runner
 * turns it into a `reschedule` outcome.
 */
export class RescheduleSensor extends BatonError {
  readonly [RESCHEDULE] = true;
  constructor(
    readonly at: EpochMs,
    readonly wait: SensorWait,
  ) {
    super(`sensor rescheduled to ${new Date(at).toISOString()}`);
  }
  static is(e: unknown): e is RescheduleSensor {
    return typeof e === "object" && e !== null && RESCHEDULE in e;
  }
}

/**
 * Thrown by a sensor in deferred mode after a "not yet": the attempt ends, its worker slot is
 * freed, and the scheduler's triggerer runs `trigger` until it passes or times out. Internal: the
 * task runner turns it into a `deferred` outcome.
 */
export class DeferSensor extends BatonError {
  readonly [DEFER] = true;
  constructor(
    readonly trigger: TriggerSpec,
    readonly wait: Omit<SensorWait, "trigger">,
  ) {
    super(`sensor deferred to the triggerer (${trigger.kind} check)`);
  }
  static is(e: unknown): e is DeferSensor {
    return typeof e === "object" && e !== null && DEFER in e;
  }
}

/** Gives a task context the sensor progress of an earlier reschedule (the task runner calls it). */
export function attachSensorResume<C extends object>(ctx: C, wait: SensorWait | null | undefined): C {
  if (wait) Object.defineProperty(ctx, RESUME, { value: wait, enumerable: false });
  return ctx;
}

/** The sensor progress a rescheduled sensor resumes from; null on its first poke of a try. */
export function sensorResumeOf(ctx: object): SensorWait | null {
  return ((ctx as Record<symbol, unknown>)[RESUME] as SensorWait | undefined) ?? null;
}
