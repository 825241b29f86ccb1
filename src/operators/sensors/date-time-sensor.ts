import { FailTask, InvalidInputError } from "../../core/errors.js";
import type { TaskContext } from "../../sdk/context.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { TaskRef } from "../../sdk/task-ref.js";
import { templateRenderer } from "../shared/render.js";
import { sensorOperator, type SensorOptions } from "./declare-sensor.js";

export interface DateTimeSensorOptions<P> extends SensorOptions {
  /** The moment to wait for: ISO 8601 text or a template ("{{ data_interval_end }}"), a Date, or a function of the context. */
  target: string | Date | ((ctx: TaskContext<P>) => Date);
}

const OWN_KEYS = ["target"] as const;

/**
 * A sensor done once the clock reaches `target`; its value is the target as ISO text. It pokes
 * every `pokeInterval`, so it may end up to one interval late: lower it for precision.
 *
 * @example
 * dateTimeSensor(d, "after_close", { target: "{{ data_interval_end }}", pokeInterval: "1m" });
 * dateTimeSensor(d, "six_hours_later", { target: (ctx) => new Date((ctx.dataInterval.end?.getTime() ?? Date.now()) + 6 * 3_600_000) });
 */
export function dateTimeSensor<P>(d: DagBuilder<P>, id: string, options: DateTimeSensorOptions<P>): TaskRef<string> {
  const where = `dateTimeSensor("${id}")`;
  const target: unknown = options?.target;
  if (typeof target !== "string" && typeof target !== "function" && !(target instanceof Date)) {
    throw new InvalidInputError(`${where}: target must be ISO text or a template, a Date, or a function (ctx) => Date`);
  }
  return sensorOperator(d, "dateTimeSensor", id, options, OWN_KEYS, {
    kind: "date_time",
    // The target is computed on the worker (a function of the context may be given): the check gets ISO text.
    prepare: (ctx, o) => {
      const t = typeof o.target === "function" ? o.target(ctx) : o.target instanceof Date ? o.target : new Date(templateRenderer(ctx)(o.target));
      if (!(t instanceof Date) || Number.isNaN(t.getTime())) {
        throw new FailTask(`${where}: target ${typeof o.target === "string" ? `"${o.target}" ` : ""}is not a valid date`);
      }
      return { target: t.toISOString() };
    },
  }) as TaskRef<string>;
}
