import { FailTask } from "../../core/errors.js";
import { formatMs } from "./poke-schedule.js";
import type { SensorCheck } from "./sensor-check.js";

/** args: `{ target: ISO text }`. Value: the target as ISO text. */
export const dateTimeCheck: SensorCheck<string> = async (args, env) => {
  const t = new Date(String(args.target));
  if (Number.isNaN(t.getTime())) throw new FailTask(`date-time check: target ${JSON.stringify(args.target)} is not a valid date`);
  const left = t.getTime() - (env.now?.() ?? Date.now());
  if (left <= 0) return { done: true, value: t.toISOString() };
  return { done: false, reason: `${formatMs(left)} before ${t.toISOString()}`, notBefore: t.getTime() };
};
