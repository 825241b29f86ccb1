import type { ScheduleSpec } from "../model/dag-spec.js";
import { cronTicks } from "./cron-ticks.js";
import type { RunInterval } from "./timetable-types.js";

/**
 * The ordered sequence of scheduled intervals of a cron or fixed-interval schedule, navigated
 * from any instant. Every method returns null when the schedule has no such interval.
 */
export interface IntervalGrid {
  /** The first interval whose logical date is at or after `t`. */
  firstAtOrAfter(t: number): RunInterval | null;
  /** The interval following the one whose logical date is `logicalDate` (the first with a later logical date). */
  after(logicalDate: number): RunInterval | null;
  /** The latest interval whose runAfter is at or before `now`. */
  latestDueBy(now: number): RunInterval | null;
  /** The data interval a manual run at `at` covers. */
  containing(at: number): RunInterval;
}

/** A zero-width interval at `t`. */
export function pointInterval(t: number): RunInterval {
  return { logicalDate: t, dataIntervalStart: t, dataIntervalEnd: t, runAfter: t };
}

/** The grid of a cron or "every" schedule; `anchor` is where "every" intervals start (startDate, else the epoch). */
export function intervalGrid(schedule: Extract<ScheduleSpec, { kind: "cron" | "every" }>, timezone: string, anchor: number): IntervalGrid {
  if (schedule.kind === "every") return everyGrid(schedule.everyMs, anchor);
  return schedule.mode === "trigger" ? cronTriggerGrid(schedule.expression, timezone) : cronIntervalGrid(schedule.expression, timezone);
}

/** Airflow's CronDataIntervalTimetable: [tick_i, tick_i+1), runs after it ends. */
function cronIntervalGrid(expression: string, timezone: string): IntervalGrid {
  const ticks = cronTicks(expression, timezone);
  const from = (start: number | null): RunInterval | null => {
    const end = start === null ? null : ticks.after(start);
    return start === null || end === null ? null : { logicalDate: start, dataIntervalStart: start, dataIntervalEnd: end, runAfter: end };
  };
  return {
    firstAtOrAfter: (t) => from(ticks.atOrAfter(t)),
    after: (logicalDate) => from(ticks.after(logicalDate)),
    latestDueBy(now) {
      const end = ticks.atOrBefore(now);
      return from(end === null ? null : ticks.before(end));
    },
    containing: (at) => from(ticks.atOrBefore(at)) ?? pointInterval(at),
  };
}

/** Airflow's CronTriggerTimetable: a zero-width interval at each tick, run at the tick. */
function cronTriggerGrid(expression: string, timezone: string): IntervalGrid {
  const ticks = cronTicks(expression, timezone);
  const at = (t: number | null) => (t === null ? null : pointInterval(t));
  return {
    firstAtOrAfter: (t) => at(ticks.atOrAfter(t)),
    after: (logicalDate) => at(ticks.after(logicalDate)),
    latestDueBy: (now) => at(ticks.atOrBefore(now)),
    containing: pointInterval,
  };
}

/** Fixed spacing in real time: [anchor + k·every, anchor + (k+1)·every). */
function everyGrid(everyMs: number, anchor: number): IntervalGrid {
  const nth = (k: number): RunInterval => {
    const start = anchor + k * everyMs;
    return { logicalDate: start, dataIntervalStart: start, dataIntervalEnd: start + everyMs, runAfter: start + everyMs };
  };
  return {
    firstAtOrAfter: (t) => nth(Math.ceil((t - anchor) / everyMs)),
    after: (logicalDate) => nth(Math.floor((logicalDate - anchor) / everyMs) + 1),
    latestDueBy: (now) => nth(Math.floor((now - anchor) / everyMs) - 1),
    containing: (at) => nth(Math.floor((at - anchor) / everyMs)),
  };
}
