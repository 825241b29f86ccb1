import { InvalidInputError } from "../../core/errors.js";
import type { DagBuilder } from "../../sdk/dag-builder.js";
import type { TaskRef } from "../../sdk/task-ref.js";
import { templateRenderer } from "../shared/render.js";
import { sensorOperator, type SensorOptions } from "./declare-sensor.js";
import { resolve } from "node:path";

export interface FileSensorOptions extends SensorOptions {
  /** A glob (a template): `*`, `?` within a segment, `**` for any folders. Absolute, or relative to the worker's working directory. */
  pattern: string;
  /** Done when at least this many files match. Default 1. */
  minCount?: number;
}

const OWN_KEYS = ["pattern", "minCount"] as const;

/**
 * A sensor waiting for files: done when at least `minCount` regular files match `pattern`; its
 * value is their absolute paths, sorted.
 *
 * @example
 * const files = fileSensor(d, "landed", { pattern: "/data/landing/{{ ds }}/*.csv", pokeInterval: "1m", timeout: "6h" });
 * d.task("load", { inputs: { files } }, (ctx, { files }) => files.length);
 */
export function fileSensor<P>(d: DagBuilder<P>, id: string, options: FileSensorOptions): TaskRef<string[]> {
  const where = `fileSensor("${id}")`;
  if (typeof options?.pattern !== "string" || options.pattern.trim() === "")
    throw new InvalidInputError(`${where}: pattern must be a glob such as "/data/landing/*.csv"`);
  const minCount = options.minCount ?? 1;
  if (!Number.isInteger(minCount) || minCount < 1) throw new InvalidInputError(`${where}: minCount must be an integer >= 1`);
  return sensorOperator(d, "fileSensor", id, options, OWN_KEYS, {
    kind: "file",
    // Absolute on the worker: a deferred check runs in the scheduler, whose folder may differ.
    prepare: (ctx, o) => ({ pattern: resolve(templateRenderer(ctx)(o.pattern)), minCount }),
  }) as TaskRef<string[]>;
}
