import { createHash } from "node:crypto";
import { BatonError, FailTask, InvalidInputError, SkipTask } from "../../core/errors.js";
import { parseDuration } from "../../core/model/duration.js";
import { parseIsoDate } from "../../core/model/iso-date.js";
import { RUN_STATES, type RunState } from "../../core/model/states.js";
import type { DagRunSummary, DagRunsGateway } from "../../core/ports/dag-runs-gateway.js";
import type { TaskContext } from "../../sdk/context.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { Duration } from "../../sdk/task-options.js";
import type { TaskRef } from "../../sdk/task-ref.js";
import { declareOperator, type OperatorTaskOptions } from "../shared/declare-operator.js";
import { renderDeep, templateRenderer } from "../shared/render.js";
import { dagRunsOf, sleep } from "./dag-runs-of.js";
import { stateLists } from "./state-lists.js";

export interface TriggerDagOptions<P> extends OperatorTaskOptions {
  /** The DAG to run (a template). */
  dagId: string;
  /** The run's conf (string values inside are templates); validated against the target's params. */
  conf?: Record<string, unknown>;
  /**
   * The run id (a template). Default `triggered__<this DAG>.<this task>__<this run id>`, so a
   * retry or a second attempt finds the run it already triggered instead of making another.
   */
  runId?: string;
  /** The run's logical date: ISO text or a template, a Date, or a function of the context. Default: now. */
  logicalDate?: string | Date | ((ctx: TaskContext<P>) => Date);
  /** Wait until the run reaches allowedStates (or failedStates). Default false. */
  wait?: boolean;
  /** With wait: time between looks at the run. Default "10s". */
  pokeInterval?: Duration;
  /** With wait: run states that end the task successfully. Default ["success"]. */
  allowedStates?: readonly RunState[];
  /** With wait: run states that fail the task. Default ["failed"]. */
  failedStates?: readonly RunState[];
  /** When the run id is taken (and not by an earlier attempt of this task): end as skipped. Default false. */
  skipWhenAlreadyExists?: boolean;
  /** When the run id is taken: clear that run so it runs again. Default false. */
  resetDagRun?: boolean;
}

/** The value of a `triggerDag` task. */
export interface TriggeredDagRun {
  dagId: string;
  runId: string;
  /** When the task ended: "queued" or "running" without wait, else one of allowedStates. */
  state: RunState;
  /** ISO 8601. */
  logicalDate: string | null;
}

const OWN_KEYS = [
  "dagId",
  "conf",
  "runId",
  "logicalDate",
  "wait",
  "pokeInterval",
  "allowedStates",
  "failedStates",
  "skipWhenAlreadyExists",
  "resetDagRun",
] as const;
const WAIT_KEYS = ["pokeInterval", "allowedStates", "failedStates"] as const;
const MAX_RUN_ID = 250;

/**
 * A task that triggers a run of another DAG (Airflow's TriggerDagRunOperator) and, with `wait`,
 * waits for it to finish; its value is the run's ids and state. The run is queued and the
 * scheduler starts it at once. See docs/operators.md.
 *
 * @example
 * triggerDag(d, "publish", { dagId: "publish_reports", conf: { day: "{{ ds }}" }, wait: true, pokeInterval: "30s" });
 */
export function triggerDag<P>(d: DagBuilder<P>, id: string, options: TriggerDagOptions<P>): TaskRef<TriggeredDagRun> {
  const where = `triggerDag("${id}")`;
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw new InvalidInputError(`${where} needs an options object with dagId`);
  const o = options;
  if (typeof o.dagId !== "string" || o.dagId.trim() === "") throw new InvalidInputError(`${where}: dagId must be the id of the DAG to trigger`);
  if (o.conf !== undefined && (typeof o.conf !== "object" || o.conf === null || Array.isArray(o.conf))) {
    throw new InvalidInputError(`${where}: conf must be an object`);
  }
  if (o.runId !== undefined && (typeof o.runId !== "string" || o.runId.trim() === "")) throw new InvalidInputError(`${where}: runId must be non-empty text`);
  const ld: unknown = o.logicalDate;
  if (ld !== undefined && typeof ld !== "string" && typeof ld !== "function" && !(ld instanceof Date && !Number.isNaN(ld.getTime()))) {
    throw new InvalidInputError(`${where}: logicalDate must be ISO text or a template, a valid Date, or a function (ctx) => Date`);
  }
  // Text without a template is checked when the DAG loads; a template once it is rendered.
  if (typeof ld === "string" && !ld.includes("{{")) isoDateOf(ld, where, InvalidInputError);
  for (const key of ["wait", "skipWhenAlreadyExists", "resetDagRun"] as const) {
    if (o[key] !== undefined && typeof o[key] !== "boolean") throw new InvalidInputError(`${where}: ${key} must be true or false`);
  }
  if (o.skipWhenAlreadyExists && o.resetDagRun) throw new InvalidInputError(`${where}: give skipWhenAlreadyExists or resetDagRun, not both`);
  if (!o.wait) {
    const stray = WAIT_KEYS.filter((k) => o[k] !== undefined);
    if (stray.length > 0) throw new InvalidInputError(`${where}: ${stray.join(", ")} appl${stray.length === 1 ? "ies" : "y"} only with wait: true`);
  }
  const pokeMs = parseDuration(o.pokeInterval ?? "10s", `${where}: pokeInterval`);
  if (pokeMs <= 0) throw new InvalidInputError(`${where}: pokeInterval must be more than 0`);
  const states = stateLists<RunState, "allowedStates" | "failedStates">(where, RUN_STATES, o, { allowedStates: ["success"], failedStates: ["failed"] });
  if (states.allowedStates.length === 0) throw new InvalidInputError(`${where}: allowedStates must name at least one state`);

  return declareOperator(d, "triggerDag", id, options, OWN_KEYS, async (ctx, own): Promise<TriggeredDagRun> => {
    const gateway = dagRunsOf(ctx, where);
    const render = templateRenderer(ctx);
    const dagId = render(own.dagId);
    const runId = own.runId === undefined ? defaultRunId(ctx) : render(own.runId);
    const conf = own.conf === undefined ? {} : (renderDeep(own.conf, render) as Record<string, unknown>);
    const logicalDate = logicalDateOf(ctx, own.logicalDate, render, where);
    let run = await trigger(gateway, ctx, where, { dagId, runId, conf, logicalDate, ours: own.runId === undefined || ctx.tryNumber > 1, own });
    if (own.wait) run = await waitForRun(gateway, ctx, run, pokeMs, states.allowedStates, states.failedStates);
    return { dagId, runId: run.runId, state: run.state, logicalDate: run.logicalDate === null ? null : new Date(run.logicalDate).toISOString() };
  });
}

interface TriggerPlan<P> {
  dagId: string;
  runId: string;
  conf: Record<string, unknown>;
  logicalDate: number | undefined;
  /** The run id can only be this task's, or an earlier attempt ran: an existing run is its own. */
  ours: boolean;
  own: TriggerDagOptions<P>;
}

/** Creates the run, or decides what to do with the one that has its id. */
async function trigger<P>(gateway: DagRunsGateway, ctx: TaskContext<P>, where: string, p: TriggerPlan<P>): Promise<DagRunSummary> {
  let result: Awaited<ReturnType<DagRunsGateway["triggerRun"]>>;
  try {
    result = await gateway.triggerRun(p.dagId, { conf: p.conf, runId: p.runId, ...(p.logicalDate === undefined ? {} : { logicalDate: p.logicalDate }) });
  } catch (e) {
    // Bad conf or run id: retrying cannot fix it.
    if (e instanceof InvalidInputError) throw new FailTask(`${where}: ${e.message}`, { cause: e });
    throw e;
  }
  const { run, created } = result;
  if (created) {
    ctx.log.info(`triggered run ${run.runId} of DAG ${p.dagId}`, { logicalDate: isoOrNull(run.logicalDate) });
    return run;
  }
  const finishedBadly = run.state === "failed";
  if (p.ours && !(p.own.resetDagRun && finishedBadly)) {
    ctx.log.info(`run ${run.runId} of DAG ${p.dagId} already exists (triggered by an earlier attempt): using it`, { state: run.state });
    return run;
  }
  if (p.own.resetDagRun) {
    ctx.log.info(`run ${run.runId} of DAG ${p.dagId} already exists (${run.state}): clearing it so it runs again`);
    return gateway.resetRun(p.dagId, run.runId);
  }
  if (p.own.skipWhenAlreadyExists) throw new SkipTask(`DAG ${p.dagId} already has a run with id "${run.runId}" (${run.state})`);
  throw new FailTask(
    `${where}: DAG ${p.dagId} already has a run with id "${run.runId}" (${run.state}); set skipWhenAlreadyExists to skip, or resetDagRun to run it again`,
  );
}

/** Looks at the run every `pokeMs` until it reaches an allowed state; fails on a failed state. */
async function waitForRun(
  gateway: DagRunsGateway,
  ctx: TaskContext<unknown>,
  first: DagRunSummary,
  pokeMs: number,
  allowed: readonly RunState[],
  failed: readonly RunState[],
): Promise<DagRunSummary> {
  const { dagId, runId } = first;
  let run = first;
  let last: RunState | null = null;
  let warnedPaused = false;
  for (;;) {
    if (failed.includes(run.state)) {
      throw new BatonError(`run ${runId} of DAG ${dagId} ended ${run.state}${run.note ? ` (${run.note})` : ""}`);
    }
    if (allowed.includes(run.state)) {
      ctx.log.info(`run ${runId} of DAG ${dagId} is ${run.state}`);
      return run;
    }
    if (run.state === "success" || run.state === "failed") {
      throw new FailTask(
        `run ${runId} of DAG ${dagId} ended ${run.state}, which is in neither allowedStates (${allowed.join(", ")}) nor failedStates (${failed.join(", ") || "none"})`,
      );
    }
    if (run.state === "queued") {
      if (!(await gateway.schedulerAlive())) {
        throw new BatonError(
          `run ${runId} of DAG ${dagId} is queued but no scheduler is serving this database (no recent heartbeat): ` +
            `start one (\`baton standalone\`), or trigger without wait`,
        );
      }
      if (!warnedPaused && (await gateway.describeDag(dagId))?.paused) {
        warnedPaused = true;
        ctx.log.warn(`DAG ${dagId} is paused: run ${runId} stays queued until the DAG is unpaused`);
      }
    }
    if (run.state !== last) ctx.log.info(`waiting for run ${runId} of DAG ${dagId} (${run.state})`);
    last = run.state;
    await sleep(pokeMs, ctx.signal);
    const next = await gateway.getRun(dagId, runId);
    if (next === null) throw new BatonError(`run ${runId} of DAG ${dagId} no longer exists`);
    run = next;
  }
}

/** `triggered__<dag>.<task>__<run>`; hashed down when longer than a run id may be. */
function defaultRunId(ctx: TaskContext<unknown>): string {
  const copy = ctx.mapIndex >= 0 ? `.${ctx.mapIndex}` : "";
  const id = `triggered__${ctx.dagId}.${ctx.taskId}${copy}__${ctx.runId}`;
  if (id.length <= MAX_RUN_ID) return id;
  const hash = createHash("sha256").update(id).digest("hex").slice(0, 16);
  return `${id.slice(0, MAX_RUN_ID - hash.length - 2)}__${hash}`;
}

function logicalDateOf<P>(ctx: TaskContext<P>, value: TriggerDagOptions<P>["logicalDate"], render: (t: string) => string, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string") return isoDateOf(render(value), where, FailTask);
  const date = typeof value === "function" ? value(ctx) : value;
  if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new FailTask(`${where}: logicalDate is not a valid date`);
  return date.getTime();
}

/** ISO text (the one date parser; a date or a date-time without offset is read in UTC) as epoch ms. */
function isoDateOf(text: string, where: string, Failure: new (message: string) => Error): number {
  try {
    return parseIsoDate(text, "UTC");
  } catch (error) {
    throw new Failure(`${where}: logicalDate: ${(error as Error).message}`);
  }
}

function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
