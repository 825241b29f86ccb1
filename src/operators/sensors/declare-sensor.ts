import { FailTask, InvalidInputError, SkipTask } from "../../core/errors.js";
import { parseDuration } from "../../core/model/duration.js";
import { DeferSensor, RescheduleSensor, sensorResumeOf } from "../../core/sensors/sensor-handoff.js";
import type { TaskContext } from "../../sdk/context.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { Duration } from "../../sdk/task-options.js";
import type { TaskRef } from "../../sdk/task-ref.js";
import { declareOperator, type OperatorTaskOptions } from "../shared/declare-operator.js";
import { resolveConnection } from "../shared/resolve-connection.js";
import { formatMs, nextPokeDelay, type PokeSchedule } from "./poke-schedule.js";
import type { CheckEnv } from "./sensor-check.js";
import { DAG_RUNS_GATEWAY, type DagRunsGateway } from "../../core/ports/dag-runs-gateway.js";
import { SENSOR_CHECKS } from "./sensor-checks.js";

/**
 * Options every sensor takes beside its own. `timeout` is the sensor's (Airflow's `timeout`), not
 * the task's attempt limit: the time since the first poke of a try (across reschedules) after which it gives up.
 */
export interface SensorOptions extends Omit<OperatorTaskOptions, "timeout"> {
  /** Wait between pokes. Default "60s". */
  pokeInterval?: Duration;
  /** Give up this long after the first poke of the try (of the first try in reschedule mode: retries do not reset it). Default "7d". */
  timeout?: Duration;
  /** On timeout, or a poke throwing FailTask, end as skipped instead of failed. Default false. */
  softFail?: boolean;
  /** Wait longer after each poke (Airflow's formula, with jitter). Default false. */
  exponentialBackoff?: boolean;
  /** With exponentialBackoff: cap on a single wait. Default none. */
  maxWait?: Duration;
  /**
   * How the sensor waits between pokes. "poke" (default): the task keeps its worker slot.
   * "reschedule": each poke is a short attempt; between pokes the task is up_for_reschedule and
   * holds no slot. "deferred": after a first poke on a worker, the scheduler's triggerer runs the
   * check (built-in sensors only); no slot is held.
   */
  mode?: SensorMode;
}

export const SENSOR_MODES = ["poke", "reschedule", "deferred"] as const;
export type SensorMode = (typeof SENSOR_MODES)[number];

/** A poke's verdict: `true` or `{ done: true, value }` ends the sensor; `reason` is logged. */
export type PokeResult<T> = boolean | { done: true; value: T } | { done: false; reason?: string };

/** The value of a sensor whose poke returns `R`: null for `true`, `value` for `{ done: true, value }`. */
export type SensorValue<R> = R extends true ? null : R extends { done: true; value: infer T } ? T : never;

/**
 * A poke function. `signal` aborts when the attempt is cancelled or times out, or when the poke
 * outlives the sensor's timeout (it gets at least 30 s); pass it to fetch and the like.
 */
export type Poke<P, R> = (ctx: TaskContext<P>, signal: AbortSignal) => Promise<R>;

const SENSOR_KEYS = ["pokeInterval", "timeout", "softFail", "exponentialBackoff", "maxWait", "mode"] as const;

/** The least time a poke may run even when the sensor's timeout is nearer. */
const MIN_POKE_MS = 30_000;

interface SensorPolicy extends PokeSchedule {
  mode: SensorMode;
  timeoutMs: number;
  softFail: boolean;
}

/**
 * A sensor made of a registered check ({@link SENSOR_CHECKS}): `prepare` renders the check's JSON
 * arguments on the worker; the check itself runs on the worker or, in deferred mode, in the
 * scheduler's triggerer. `poke` (optional) replaces the check on a worker (e.g. httpSensor's
 * responseCheck, a function); `notDeferrable` then says why mode "deferred" is refused.
 */
export interface CheckedSensor<P, O, T> {
  kind: string;
  prepare: (ctx: TaskContext<P>, own: O) => Record<string, unknown> | Promise<Record<string, unknown>>;
  poke?: (ctx: TaskContext<P>, own: O, signal: AbortSignal) => Promise<PokeResult<T>>;
  /** Why this configuration cannot defer (a function option); undefined when it can. */
  notDeferrable?: string;
}

/**
 * A sensor task: pokes at once, then every `pokeInterval` until `poke` says done; its value is
 * the `value` of `{ done: true, value }` (null for `true`). A poke that throws fails the attempt
 * (retries apply; in reschedule mode a retry keeps the first try's timeout). With `mode: "reschedule"` the worker slot
 * is free between pokes; `mode: "deferred"` is refused (a poke function cannot leave the worker).
 *
 * @example
 * const ready = declareSensor(d, "partition_ready", {
 *   pokeInterval: "5m",
 *   timeout: "6h",
 *   poke: async (ctx) => (await ctx.variable("last_partition")) >= (ctx.ds ?? ""),
 * });
 */
export function declareSensor<P, R extends PokeResult<unknown>>(
  d: DagBuilder<P>,
  id: string,
  options: SensorOptions & { poke: Poke<P, R> },
): TaskRef<SensorValue<R>> {
  if (typeof options?.poke !== "function")
    throw new InvalidInputError(`declareSensor("${id}"): poke must be a function (ctx) => Promise<boolean | { done: true, value }>`);
  return sensorOperator(d, "declareSensor", id, options, ["poke"], (ctx, own, signal) => own.poke(ctx, signal)) as TaskRef<SensorValue<R>>;
}

/**
 * Declares a sensor operator: like declareOperator, with the sensor options and poke loop. `poke`
 * is a function (poke and reschedule modes only) or a {@link CheckedSensor} (every mode).
 */
export function sensorOperator<P, O extends SensorOptions, T>(
  d: DagBuilder<P>,
  operator: string,
  id: string,
  options: O,
  ownKeys: readonly string[],
  poke: ((ctx: TaskContext<P>, own: O, signal: AbortSignal) => Promise<PokeResult<T>>) | CheckedSensor<P, O, T>,
): TaskRef<T | null> {
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new InvalidInputError(`${operator}("${String(id)}") needs an options object`);
  }
  const where = `${operator}("${id}")`;
  const policy = sensorPolicy(where, options);
  const checked = typeof poke === "function" ? null : poke;
  const check = checked ? SENSOR_CHECKS[checked.kind] : undefined;
  if (checked && !check) throw new InvalidInputError(`${where}: no sensor check "${checked.kind}"; known checks: ${Object.keys(SENSOR_CHECKS).join(", ")}`);
  if (policy.mode === "deferred" && (!checked || checked.notDeferrable !== undefined)) {
    throw new InvalidInputError(
      `${where}: mode "deferred" needs a check the scheduler's triggerer can run, and ${checked?.notDeferrable ?? "a poke function"} cannot leave the worker; ` +
        `use mode "reschedule" (it frees the worker slot between pokes too), or a built-in sensor: fileSensor, httpSensor (without responseCheck), sqlSensor, dateTimeSensor, objectSensor, externalTaskSensor`,
    );
  }
  // The sensor's timeout is not the task's attempt timeout: keep it away from the task options.
  const { timeout: _sensorTimeout, ...rest } = options;
  return declareOperator(d, operator, id, rest, [...ownKeys, ...SENSOR_KEYS], async (ctx, own) => {
    const o = own as O;
    if (!checked || !check) return runSensor(ctx, policy, (signal) => (poke as Exclude<typeof poke, CheckedSensor<P, O, T>>)(ctx, o, signal), null);
    const env = workerEnv(ctx);
    if (policy.mode === "deferred") {
      const args = await checked.prepare(ctx, o);
      return runSensor(ctx, policy, (signal) => check(args, env, signal) as Promise<PokeResult<T>>, { kind: checked.kind, args });
    }
    const pokeOnWorker =
      checked.poke ?? (async (c: TaskContext<P>, x: O, signal: AbortSignal) => (await check(await checked.prepare(c, x), env, signal)) as PokeResult<T>);
    return runSensor(ctx, policy, (signal) => pokeOnWorker(ctx, o, signal), null);
  });
}

/** Connections for checks on a worker: by id through the context, or parsed from a URI. */
function workerEnv(ctx: TaskContext<unknown>): CheckEnv {
  const dagRuns = (ctx as unknown as Partial<Record<typeof DAG_RUNS_GATEWAY, DagRunsGateway>>)[DAG_RUNS_GATEWAY] ?? null;
  return { connection: (conn) => resolveConnection(ctx, conn), dagRuns };
}

function sensorPolicy(where: string, o: SensorOptions): SensorPolicy {
  if (o.mode !== undefined && !SENSOR_MODES.includes(o.mode)) {
    throw new InvalidInputError(`${where}: mode must be one of ${SENSOR_MODES.map((m) => `"${m}"`).join(", ")}; got ${JSON.stringify(o.mode)}`);
  }
  for (const key of ["softFail", "exponentialBackoff"] as const) {
    if (o[key] !== undefined && typeof o[key] !== "boolean") throw new InvalidInputError(`${where}: ${key} must be true or false`);
  }
  const pokeIntervalMs = parseDuration(o.pokeInterval ?? "60s", `${where}: pokeInterval`);
  const timeoutMs = parseDuration(o.timeout ?? "7d", `${where}: timeout`);
  const maxWaitMs = o.maxWait === undefined ? null : parseDuration(o.maxWait, `${where}: maxWait`);
  if (maxWaitMs !== null && !o.exponentialBackoff) throw new InvalidInputError(`${where}: maxWait applies only with exponentialBackoff: true`);
  return { mode: o.mode ?? "poke", pokeIntervalMs, timeoutMs, maxWaitMs, softFail: o.softFail ?? false, exponentialBackoff: o.exponentialBackoff ?? false };
}

async function runSensor<T>(
  ctx: TaskContext<unknown>,
  policy: SensorPolicy,
  poke: (signal: AbortSignal) => Promise<PokeResult<T>>,
  trigger: { kind: string; args: Record<string, unknown> } | null,
): Promise<T | null> {
  if (policy.softFail) poke = softFailing(poke);
  if (policy.mode !== "poke") return pokeOnceThenHandOff(ctx, policy, poke, trigger);
  const started = Date.now();
  const deadline = started + policy.timeoutMs;
  const key = `${ctx.dagId}#${ctx.taskId}#${new Date(started).toISOString()}`;
  let reason: string | undefined;
  for (let n = 1; ; n++) {
    const result = await pokeOnce(ctx.signal, Math.max(deadline - Date.now(), MIN_POKE_MS), poke);
    if (result === "timed out") return timedOut(ctx, policy, n, started, `poke ${n} still running`);
    if (result === true || (typeof result === "object" && result.done)) {
      ctx.log.info(`poke ${n}: done after ${formatMs(Date.now() - started)}`);
      return result === true ? null : result.value;
    }
    reason = typeof result === "object" ? result.reason : undefined;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return timedOut(ctx, policy, n, started, reason);
    const delay = nextPokeDelay(policy, n, remaining, key);
    ctx.log.info(`poke ${n}: not yet${reason ? ` (${reason})` : ""}; next poke in ${formatMs(delay)}`);
    await sleep(delay, ctx.signal);
  }
}

/**
 * Reschedule and deferred modes: one poke per attempt. The timeout counts from the first poke of
 * the try, carried across reschedules by the scheduler. "Not yet" ends the attempt by throwing
 * RescheduleSensor (poke again at a time) or DeferSensor (the triggerer checks from now on).
 */
async function pokeOnceThenHandOff<T>(
  ctx: TaskContext<unknown>,
  policy: SensorPolicy,
  poke: (signal: AbortSignal) => Promise<PokeResult<T>>,
  trigger: { kind: string; args: Record<string, unknown> } | null,
): Promise<T | null> {
  const resume = policy.mode === "reschedule" ? sensorResumeOf(ctx) : null;
  const firstPokeAt = resume?.firstPokeAt ?? Date.now();
  const n = (resume?.pokes ?? 0) + 1;
  const deadline = firstPokeAt + policy.timeoutMs;
  const result = await pokeOnce(ctx.signal, Math.max(deadline - Date.now(), MIN_POKE_MS), poke);
  if (result === "timed out") return timedOut(ctx, policy, n, firstPokeAt, `poke ${n} still running`);
  if (result === true || (typeof result === "object" && result.done)) {
    ctx.log.info(`poke ${n}: done after ${formatMs(Date.now() - firstPokeAt)}`);
    return result === true ? null : result.value;
  }
  const reason = typeof result === "object" ? result.reason : undefined;
  const remaining = deadline - Date.now();
  if (remaining <= 0) return timedOut(ctx, policy, n, firstPokeAt, reason);
  const key = `${ctx.dagId}#${ctx.taskId}#${new Date(firstPokeAt).toISOString()}`;
  const notYet = `poke ${n}: not yet${reason ? ` (${reason})` : ""}`;
  if (policy.mode === "reschedule" || trigger === null) {
    const delay = nextPokeDelay(policy, n, remaining, key);
    ctx.log.info(`${notYet}; rescheduled: next poke in ${formatMs(delay)}, the worker slot is free meanwhile`);
    throw new RescheduleSensor(Date.now() + delay, { firstPokeAt, pokes: n, trigger: null });
  }
  ctx.log.info(`${notYet}; deferred: the triggerer checks from now on (${trigger.kind}), the worker slot is free meanwhile`);
  const { pokeIntervalMs, exponentialBackoff, maxWaitMs, timeoutMs, softFail } = policy;
  const notBefore = typeof result === "object" && "notBefore" in result && typeof result.notBefore === "number" ? { notBefore: result.notBefore } : {};
  const spec = { ...trigger, pokeIntervalMs, exponentialBackoff, maxWaitMs, timeoutMs, timeoutAt: deadline, softFail, key, ...notBefore };
  throw new DeferSensor(spec, { firstPokeAt, pokes: n });
}

/**
 * Airflow's `soft_fail`: a poke that fails for good (`FailTask`: an HTTP 4xx, a
 * check that says retrying will not help) skips the sensor instead, as a timeout does. Other errors
 * still fail the attempt, and retries apply.
 */
function softFailing<T>(poke: (signal: AbortSignal) => Promise<PokeResult<T>>): (signal: AbortSignal) => Promise<PokeResult<T>> {
  return async (signal) => {
    try {
      return await poke(signal);
    } catch (e) {
      if (FailTask.is(e)) throw new SkipTask(`${e.message} (softFail: skipped instead of failed)`);
      throw e;
    }
  };
}

/** One poke, abandoned (and its signal aborted) after `limitMs`; rejects when the attempt is aborted. */
async function pokeOnce<T>(attempt: AbortSignal, limitMs: number, poke: (signal: AbortSignal) => Promise<PokeResult<T>>): Promise<PokeResult<T> | "timed out"> {
  attempt.throwIfAborted();
  const limit = new AbortController();
  const signal = AbortSignal.any([attempt, limit.signal]);
  let timer: NodeJS.Timeout | undefined;
  let onAbort = (): void => {};
  const stop = new Promise<"timed out">((resolve, reject) => {
    timer = setTimeout(() => (limit.abort(new Error("the sensor timed out during this poke")), resolve("timed out")), limitMs);
    onAbort = () => reject(attempt.reason);
    attempt.addEventListener("abort", onAbort, { once: true });
  });
  try {
    return await Promise.race([poke(signal), stop]);
  } finally {
    clearTimeout(timer);
    attempt.removeEventListener("abort", onAbort);
  }
}

function timedOut(ctx: TaskContext<unknown>, policy: SensorPolicy, pokes: number, started: number, reason: string | undefined): never {
  const message =
    `sensor "${ctx.taskId}" timed out after ${formatMs(Date.now() - started)} (timeout ${formatMs(policy.timeoutMs)}, ` +
    `${pokes} poke${pokes === 1 ? "" : "s"}${reason ? `; last: ${reason}` : ""})`;
  ctx.log.warn(message);
  throw policy.softFail ? new SkipTask(message) : new FailTask(message);
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    signal.throwIfAborted();
    const onAbort = () => (clearTimeout(timer), reject(signal.reason));
    const timer = setTimeout(() => (signal.removeEventListener("abort", onAbort), resolve()), ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
