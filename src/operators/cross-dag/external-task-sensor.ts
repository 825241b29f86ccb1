import { FailTask, InvalidInputError } from "../../core/errors.js";
import { parseDuration } from "../../core/model/duration.js";
import { RUN_STATES, TASK_STATES, type RunState, type TaskState } from "../../core/model/states.js";
import type { TaskContext } from "../../sdk/context.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { Duration } from "../../sdk/task-options.js";
import type { TaskRef } from "../../sdk/task-ref.js";
import { templateRenderer } from "../shared/render.js";
import { sensorOperator, type SensorOptions } from "../sensors/declare-sensor.js";
import type { ExternalTaskArgs, ExternalTaskState } from "./external-task-check.js";
import { stateLists } from "./state-lists.js";

export interface ExternalTaskSensorOptions<P> extends SensorOptions {
  /** The other DAG (a template). */
  dagId: string;
  /** Wait for this task of the other DAG's run. Give taskId, taskIds, or neither (the whole run). */
  taskId?: string;
  /** Wait for all of these tasks. */
  taskIds?: readonly string[];
  /**
   * Look at the other DAG's run whose logical date is this much earlier than this run's (Airflow's
   * `execution_delta`): "1h" for a DAG scheduled an hour before. Default: the same logical date.
   */
  logicalDateDelta?: Duration;
  /** The other run's logical date as a function of this context (Airflow's `execution_date_fn`). */
  logicalDateFn?: (ctx: TaskContext<P>) => Date;
  /** States that end the sensor successfully. Default ["success"]. */
  allowedStates?: readonly (TaskState | RunState)[];
  /** States that fail the sensor (skipped with softFail). Default ["failed"], and "upstream_failed" for tasks. */
  failedStates?: readonly (TaskState | RunState)[];
  /** States that end the sensor as skipped. Default none. */
  skippedStates?: readonly (TaskState | RunState)[];
  /** Fail at once when the DAG or the tasks do not exist (else keep waiting for them). Default false. */
  checkExistence?: boolean;
}

export type { ExternalTaskState } from "./external-task-check.js";

const OWN_KEYS = [
  "dagId",
  "taskId",
  "taskIds",
  "logicalDateDelta",
  "logicalDateFn",
  "allowedStates",
  "failedStates",
  "skippedStates",
  "checkExistence",
] as const;

/**
 * A sensor waiting for another DAG's run (or some of its tasks) with a matching logical date to
 * reach allowedStates (Airflow's ExternalTaskSensor). If several runs have that logical date, the
 * newest counts. See docs/sensors.md.
 *
 * @example
 * externalTaskSensor(d, "wait_for_load", { dagId: "load_sales", taskId: "load", logicalDateDelta: "1h", pokeInterval: "2m", timeout: "6h" });
 */
export function externalTaskSensor<P>(d: DagBuilder<P>, id: string, options: ExternalTaskSensorOptions<P>): TaskRef<ExternalTaskState> {
  const where = `externalTaskSensor("${id}")`;
  if (typeof options !== "object" || options === null || Array.isArray(options)) throw new InvalidInputError(`${where} needs an options object with dagId`);
  const o = options;
  if (typeof o.dagId !== "string" || o.dagId.trim() === "") throw new InvalidInputError(`${where}: dagId must be the id of the DAG to watch`);
  if (o.taskId !== undefined && o.taskIds !== undefined) throw new InvalidInputError(`${where}: give taskId or taskIds, not both`);
  if (o.taskId !== undefined && (typeof o.taskId !== "string" || o.taskId === "")) throw new InvalidInputError(`${where}: taskId must be a task id`);
  if (o.taskIds !== undefined && (!Array.isArray(o.taskIds) || o.taskIds.length === 0 || !o.taskIds.every((t) => typeof t === "string" && t !== ""))) {
    throw new InvalidInputError(`${where}: taskIds must be a non-empty list of task ids`);
  }
  if (o.logicalDateDelta !== undefined && o.logicalDateFn !== undefined)
    throw new InvalidInputError(`${where}: give logicalDateDelta or logicalDateFn, not both`);
  if (o.logicalDateFn !== undefined && typeof o.logicalDateFn !== "function")
    throw new InvalidInputError(`${where}: logicalDateFn must be a function (ctx) => Date`);
  if (o.checkExistence !== undefined && typeof o.checkExistence !== "boolean") throw new InvalidInputError(`${where}: checkExistence must be true or false`);
  const deltaMs = o.logicalDateDelta === undefined ? 0 : parseDuration(o.logicalDateDelta, `${where}: logicalDateDelta`);
  const taskIds = o.taskId !== undefined ? [o.taskId] : o.taskIds !== undefined ? [...o.taskIds] : null;
  const states =
    taskIds === null
      ? stateLists<string, "allowedStates" | "failedStates" | "skippedStates">(where, RUN_STATES, o, {
          allowedStates: ["success"],
          failedStates: ["failed"],
          skippedStates: [],
        })
      : stateLists<string, "allowedStates" | "failedStates" | "skippedStates">(where, TASK_STATES, o, {
          allowedStates: ["success"],
          failedStates: ["failed", "upstream_failed"],
          skippedStates: [],
        });
  if (states.allowedStates.length === 0) throw new InvalidInputError(`${where}: allowedStates must name at least one state`);
  const softFail = o.softFail === true;

  return sensorOperator(d, "externalTaskSensor", id, options, OWN_KEYS, {
    kind: "external_task",
    // The target is worked out on the worker (logicalDateFn is user code); the check is plain JSON.
    prepare: (ctx, own): Record<string, unknown> => {
      const args: ExternalTaskArgs = {
        where,
        dagId: templateRenderer(ctx)(own.dagId),
        at: targetDate(ctx, own, deltaMs, where),
        taskIds,
        allowedStates: [...states.allowedStates],
        failedStates: [...states.failedStates],
        skippedStates: [...states.skippedStates],
        softFail,
        checkExistence: own.checkExistence === true,
      };
      return args as unknown as Record<string, unknown>;
    },
  }) as TaskRef<ExternalTaskState>;
}

function targetDate<P>(ctx: TaskContext<P>, own: ExternalTaskSensorOptions<P>, deltaMs: number, where: string): number {
  if (own.logicalDateFn !== undefined) {
    const date = own.logicalDateFn(ctx);
    if (!(date instanceof Date) || Number.isNaN(date.getTime())) throw new FailTask(`${where}: logicalDateFn must return a valid Date`);
    return date.getTime();
  }
  if (ctx.logicalDate === null) throw new FailTask(`${where}: this run has no logical date; give logicalDateFn`);
  return ctx.logicalDate.getTime() - deltaMs;
}
