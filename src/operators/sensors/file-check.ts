import { globFiles } from "./glob.js";
import type { SensorCheck } from "./sensor-check.js";

/** args: `{ pattern: absolute glob, minCount }`. Value: the matching files' absolute paths, sorted. */
export const fileCheck: SensorCheck<string[]> = async (args) => {
  const pattern = String(args.pattern);
  const minCount = Number(args.minCount ?? 1);
  const paths = await globFiles(pattern);
  if (paths.length >= minCount) return { done: true, value: paths };
  return { done: false, reason: `${paths.length} of ${minCount} file(s) match ${pattern}` };
};
