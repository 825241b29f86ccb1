import { FailTask, InvalidInputError } from "../../core/errors.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { TaskRef } from "../../sdk/task-ref.js";
import { templateRenderer } from "../shared/render.js";
import { sensorOperator, type SensorOptions } from "../sensors/declare-sensor.js";
import { checkLocation, resolveLocation, type ObjectEntry } from "./object-location.js";
import { formatObjectUrl } from "./object-url.js";
import { planSelection } from "./select-objects.js";

export interface ObjectSensorOptions extends SensorOptions {
  /** One object (done when it exists), a prefix, or a URL with wildcards (a template). */
  url: string;
  conn?: string;
  /** A glob relative to the prefix (a template). */
  glob?: string;
  /** With a prefix or glob: done when at least this many objects match. Default 1. */
  minCount?: number;
}

const OWN_KEYS = ["url", "conn", "glob", "minCount"] as const;

/**
 * A sensor waiting for objects in any store: done when the object exists, or when at least
 * `minCount` objects are under the prefix (matching the glob). Its value is those objects.
 *
 * @example
 * const landed = objectSensor(d, "landed", { url: "s3://raw/incoming/{{ ds }}/", conn: "raw_s3", glob: "*.csv", minCount: 2, pokeInterval: "1m", timeout: "6h" });
 */
export function objectSensor<P>(d: DagBuilder<P>, id: string, options: ObjectSensorOptions): TaskRef<ObjectEntry[]> {
  const where = `objectSensor("${id}")`;
  checkLocation(`${where}: url`, options?.url);
  const minCount = options.minCount ?? 1;
  if (!Number.isInteger(minCount) || minCount < 1) throw new InvalidInputError(`${where}: minCount must be an integer >= 1`);
  return sensorOperator(d, "objectSensor", id, options, OWN_KEYS, {
    kind: "object",
    // Rendered and checked on the worker: the check itself is plain JSON (deferrable).
    prepare: (ctx, o) => {
      const render = templateRenderer(ctx);
      try {
        const { url, conn } = resolveLocation(`${where}: url`, o.url, render);
        const glob = o.glob === undefined ? undefined : render(o.glob);
        planSelection(url, glob === undefined ? {} : { glob }, where);
        const c = conn ?? (o.conn === undefined ? undefined : render(o.conn));
        return { url: formatObjectUrl(url), ...(c === undefined ? {} : { conn: c }), ...(glob === undefined ? {} : { glob }), minCount };
      } catch (e) {
        if (e instanceof InvalidInputError) throw new FailTask(`task "${ctx.taskId}": ${e.message}`, { cause: e });
        throw e;
      }
    },
  }) as TaskRef<ObjectEntry[]>;
}
