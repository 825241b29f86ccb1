import { FailTask, InvalidInputError, SkipTask } from "../core/errors.js";
import type { Clock } from "../core/ports/clock.js";
import { parseDuration } from "../core/model/duration.js";
import type { TaskContext } from "../sdk/context.js";
import type { RuntimeTask } from "../sdk/definition.js";

/**
 * What a test changes about one task (`testDag(pipeline, { tasks: { extract: { … } } })`). Applied
 * in this order on each try: `delay`, then `skip`, then `fail`, then `returns` / `run` / the
 * task's own code.
 */
export interface TaskOverride {
  /**
   * The try fails with this error (a string becomes `new Error(text)`). On every try, unless
   * `failOnTries` says which. A failed try is retried as the task's `retries` allow.
   */
  fail?: string | Error;
  /**
   * The tries (1 = the first) that fail; the others run normally. Without `fail` the error is
   * `"failed by testDag on try N"`. E.g. `{ failOnTries: [1] }`: the first try fails, the retry succeeds.
   */
  failOnTries?: readonly number[];
  /** The failure cannot be retried (a `FailTask`): the task fails at once whatever its `retries`. */
  failForGood?: boolean;
  /**
   * Virtual time the try takes before anything else happens (ms or `"5m"`): counts against the
   * task's execution `timeout`, moves with the test's clock, costs no real time.
   */
  delay?: number | string;
  /** The task is skipped (as if it threw `SkipTask`; a string is the reason). Its code does not run. */
  skip?: boolean | string;
  /** The task returns this value instead of running its code (a branch returns the ids to follow). */
  returns?: unknown;
  /** Runs instead of the task's code, with the same context and inputs. */
  run?: (ctx: TaskContext, inputs: Record<string, unknown>) => unknown;
}

export type TaskOverrides = Readonly<Record<string, TaskOverride>>;

const KEYS = new Set(["fail", "failOnTries", "failForGood", "delay", "skip", "returns", "run"]);

/** Checks the overrides against the DAG's task ids; the message names the known ones. */
export function checkOverrides(dagId: string, overrides: TaskOverrides, taskIds: readonly string[]): Map<string, CheckedOverride> {
  const known = new Set(taskIds);
  const out = new Map<string, CheckedOverride>();
  for (const [taskId, o] of Object.entries(overrides)) {
    if (!known.has(taskId)) {
      throw new InvalidInputError(`testDag: DAG "${dagId}" has no task "${taskId}" (options.tasks); its tasks are: ${taskIds.map((t) => `"${t}"`).join(", ")}`);
    }
    const where = `testDag: options.tasks.${taskId}`;
    if (typeof o !== "object" || o === null) throw new InvalidInputError(`${where} must be an object such as { fail: "boom" }`);
    for (const k of Object.keys(o)) {
      if (!KEYS.has(k)) throw new InvalidInputError(`${where}: unknown option "${k}"; options are ${[...KEYS].join(", ")}`);
    }
    if (o.failOnTries !== undefined && !(Array.isArray(o.failOnTries) && o.failOnTries.every((n) => Number.isInteger(n) && n >= 1))) {
      throw new InvalidInputError(`${where}.failOnTries must be a list of try numbers (1 = the first try), e.g. [1, 2]`);
    }
    if (o.fail !== undefined && typeof o.fail !== "string" && !(o.fail instanceof Error))
      throw new InvalidInputError(`${where}.fail must be a message or an Error`);
    if (o.run !== undefined && typeof o.run !== "function") throw new InvalidInputError(`${where}.run must be a function (ctx, inputs) => value`);
    if ("returns" in o && o.run !== undefined) throw new InvalidInputError(`${where}: give returns or run, not both`);
    out.set(taskId, { ...o, delayMs: o.delay === undefined ? 0 : parseDuration(o.delay, `${where}.delay`) });
  }
  return out;
}

export interface CheckedOverride extends TaskOverride {
  delayMs: number;
}

/** `task` with `o` applied; the delay waits on `clock` (virtual time). */
export function overrideTask(task: RuntimeTask, o: CheckedOverride, clock: Clock, parked: ParkedCounter): RuntimeTask {
  const replacesBody = o.skip !== undefined || o.fail !== undefined || o.failOnTries !== undefined || "returns" in o || o.run !== undefined;
  if (task.kind === "shell" && !replacesBody) {
    throw new InvalidInputError(
      `testDag: options.tasks.${task.taskId}: a shell task's delay needs skip, fail, returns or run beside it (its command cannot be delayed)`,
    );
  }
  // A shell task whose body is replaced runs as a function task.
  const kind = task.kind === "shell" ? "function" : task.kind;
  return {
    taskId: task.taskId,
    kind,
    ...(task.sensitive !== undefined ? { sensitive: task.sensitive } : {}),
    async run(ctx, inputs) {
      if (o.delayMs > 0) await virtualSleep(clock, o.delayMs, ctx.signal, parked);
      if (o.skip !== undefined && o.skip !== false) throw new SkipTask(typeof o.skip === "string" ? o.skip : "skipped by testDag");
      const failsNow = o.failOnTries ? o.failOnTries.includes(ctx.tryNumber) : o.fail !== undefined;
      if (failsNow) {
        const error = o.fail instanceof Error ? o.fail : new Error(o.fail ?? `failed by testDag on try ${ctx.tryNumber}`);
        throw o.failForGood ? new FailTask(error.message, { cause: error }) : error;
      }
      if ("returns" in o) return o.returns;
      if (o.run) return o.run(ctx, inputs);
      return task.run(ctx, inputs);
    },
  };
}

/** Attempts waiting on virtual time only (a `delay`): the driver may move the clock while they wait. */
export class ParkedCounter {
  count = 0;
}

function virtualSleep(clock: Clock, ms: number, signal: AbortSignal, parked: ParkedCounter): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason as Error);
    parked.count++;
    const done = () => {
      parked.count--;
      signal.removeEventListener("abort", onAbort);
    };
    const onAbort = () => {
      cancel();
      done();
      reject(signal.reason as Error);
    };
    const cancel = clock.setTimer(ms, () => {
      done();
      resolve();
    });
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
