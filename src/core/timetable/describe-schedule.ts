import type { ScheduleSpec } from "../model/dag-spec.js";

/** A schedule as one short string: the cron expression, `@once`, `every Ns`; null for none. */
export function describeSchedule(s: ScheduleSpec): string | null {
  switch (s.kind) {
    case "none":
      return null;
    case "once":
      return "@once";
    case "cron":
      return s.mode === "trigger" ? `${s.expression} (at tick)` : s.expression;
    case "every":
      return `every ${s.everyMs / 1000}s`;
    case "datasets":
      return `datasets: ${s.uris.join(", ")}`;
  }
}
