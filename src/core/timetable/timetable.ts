import { InvalidInputError } from "../errors.js";
import type { ScheduleSpec } from "../model/dag-spec.js";
import { intervalGrid, pointInterval, type IntervalGrid } from "./interval-grid.js";
import type { RunInterval, TimetableInput } from "./timetable-types.js";

export type { RunInterval, TimetableInput } from "./timetable-types.js";

/** intervalsInRange refuses ranges that would create more runs than this (almost surely a mistake). */
export const MAX_INTERVALS_IN_RANGE = 100_000;

/** A backfill covering more scheduled intervals (one run each) than this is refused unless forced (docs/api.md). */
export const MAX_BACKFILL_RUNS = 1000;

/**
 * The next scheduled run after the run with logical date `lastLogicalDate` (null = none yet) as
 * of `now`; null when there is none (schedule none, once already done, past endDate). runAfter
 * may be in the future (caller creates the run once runAfter <= now). With catchup=false and the
 * next interval already overdue, returns the LATEST interval whose runAfter <= now instead
 * (missed ones are skipped). With startDate null, catchup is treated as false.
 *
 * @example
 * const t = { schedule: { kind: "cron", expression: "0 0 * * *", mode: "interval" }, startDate: Date.UTC(2024, 0, 1), endDate: null, timezone: "UTC", catchup: true } as const;
 * nextScheduledRun(t, null, Date.UTC(2024, 0, 5)) // logicalDate 2024-01-01, runAfter 2024-01-02
 */
export function nextScheduledRun(t: TimetableInput, lastLogicalDate: number | null, now: number): RunInterval | null {
  const { schedule, startDate, endDate } = t;
  // Dataset-scheduled DAGs get their runs from dataset events, never from the clock.
  if (schedule.kind === "none" || schedule.kind === "datasets") return null;
  if (schedule.kind === "once") {
    const at = startDate ?? now;
    return lastLogicalDate === null && (endDate === null || at <= endDate) ? pointInterval(at) : null;
  }
  const grid = intervalGrid(schedule, t.timezone, startDate ?? 0);
  let next = lastLogicalDate === null ? null : grid.after(lastLogicalDate);
  if (startDate !== null && (next === null ? lastLogicalDate === null : next.logicalDate < startDate)) {
    next = grid.firstAtOrAfter(startDate);
  }
  if (!t.catchup || startDate === null) {
    const latest = grid.latestDueBy(now);
    const usable =
      latest !== null && (lastLogicalDate === null || latest.logicalDate > lastLogicalDate) && (startDate === null || latest.logicalDate >= startDate);
    if (usable && (next === null || latest.logicalDate > next.logicalDate)) next = latest;
    if (next === null && lastLogicalDate === null) next = grid.firstAtOrAfter(now);
  }
  if (next === null || (endDate !== null && next.logicalDate > endDate)) return null;
  return next;
}

/**
 * Every scheduled interval whose logical date lies in [from, to] (inclusive), in order; for
 * backfill. Ignores catchup and now, and also startDate/endDate (the caller chose the range),
 * except that "every" intervals stay anchored at startDate. Throws InvalidInputError above
 * {@link MAX_INTERVALS_IN_RANGE} intervals.
 */
export function intervalsInRange(t: TimetableInput, from: number, to: number): RunInterval[] {
  const { intervals, more } = firstIntervalsInRange(t, from, to, MAX_INTERVALS_IN_RANGE);
  if (more) {
    throw new InvalidInputError(
      `the range ${new Date(from).toISOString()} – ${new Date(to).toISOString()} holds more than ${MAX_INTERVALS_IN_RANGE} scheduled intervals; choose a shorter range`,
    );
  }
  return intervals;
}

/**
 * The first `max` intervals of {@link intervalsInRange} and whether the range holds more: work
 * bounded by `max` (each cron interval costs a croner step), to count a range before accepting it.
 */
export function firstIntervalsInRange(t: TimetableInput, from: number, to: number, max: number): { intervals: RunInterval[]; more: boolean } {
  const { schedule, startDate } = t;
  if (schedule.kind === "none" || schedule.kind === "datasets") return { intervals: [], more: false };
  if (schedule.kind === "once") {
    const inRange = startDate !== null && startDate >= from && startDate <= to;
    return { intervals: inRange && max > 0 ? [pointInterval(startDate)] : [], more: inRange && max < 1 };
  }
  const grid: IntervalGrid = intervalGrid(schedule, t.timezone, startDate ?? 0);
  const intervals: RunInterval[] = [];
  for (let iv = grid.firstAtOrAfter(from); iv !== null && iv.logicalDate <= to; iv = grid.after(iv.logicalDate)) {
    if (intervals.length >= max) return { intervals, more: true };
    intervals.push(iv);
  }
  return { intervals, more: false };
}

/**
 * A manual run at `at`: logicalDate = at; data interval = the schedule's interval containing
 * `at` (cron "interval" mode and every: [start, end) with start <= at < end) or [at, at] (none,
 * once, cron "trigger" mode). runAfter = at.
 */
export function manualRunInterval(t: TimetableInput, at: number): RunInterval {
  const { schedule } = t;
  if (schedule.kind === "none" || schedule.kind === "once" || schedule.kind === "datasets") return pointInterval(at);
  const iv = intervalGrid(schedule, t.timezone, t.startDate ?? 0).containing(at);
  return { logicalDate: at, dataIntervalStart: iv.dataIntervalStart, dataIntervalEnd: iv.dataIntervalEnd, runAfter: at };
}
