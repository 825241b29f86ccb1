import { InvalidInputError } from "../../core/errors.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { TaskRef } from "../../sdk/task-ref.js";
import { templateRenderer } from "../shared/render.js";
import { sensorOperator, type SensorOptions } from "../sensors/declare-sensor.js";
import { checkLocation, resolveLocation, toEntry, type ObjectEntry } from "./object-location.js";
import { planSelection, selectObjects } from "./select-objects.js";
import { withStores } from "./store-session.js";

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
  return sensorOperator(d, "objectSensor", id, options, OWN_KEYS, (ctx, o, signal) =>
    withStores(ctx, async (session) => {
      const render = templateRenderer(ctx);
      const { url } = resolveLocation(`${where}: url`, o.url, render);
      const plan = planSelection(url, o.glob === undefined ? {} : { glob: render(o.glob) }, where);
      const store = await session.open(url.scheme, o.conn === undefined ? undefined : render(o.conn));
      const { objects } = await selectObjects(store, url.container, plan, signal);
      const need = plan.kind === "single" ? 1 : minCount;
      if (objects.length >= need) return { done: true as const, value: objects.map((s) => toEntry(url, s.info)) };
      return { done: false as const, reason: `${objects.length} of ${need} object(s) at ${render(o.url)}${o.glob ? ` matching ${render(o.glob)}` : ""}` };
    }),
  ) as TaskRef<ObjectEntry[]>;
}
