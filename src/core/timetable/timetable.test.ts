import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../errors.js";
import type { ScheduleSpec } from "../model/dag-spec.js";
import { parseSchedule } from "./parse-schedule.js";
import { firstIntervalsInRange, intervalsInRange, manualRunInterval, nextScheduledRun, type RunInterval, type TimetableInput } from "./timetable.js";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString().replace(":00.000Z", "Z");
const show = (iv: RunInterval | null) =>
  iv && { logicalDate: iso(iv.logicalDate), start: iso(iv.dataIntervalStart), end: iso(iv.dataIntervalEnd), runAfter: iso(iv.runAfter) };
const daily: ScheduleSpec = { kind: "cron", expression: "0 0 * * *", mode: "interval" };
const dailyTrigger: ScheduleSpec = { kind: "cron", expression: "0 0 * * *", mode: "trigger" };
const input = (over: Partial<TimetableInput> = {}): TimetableInput => ({
  schedule: daily,
  startDate: at("2024-01-01T00:00Z"),
  endDate: null,
  timezone: "UTC",
  catchup: true,
  ...over,
});

/** Follows nextScheduledRun like the scheduler does, collecting runs due by `now`. */
function runsDueBy(t: TimetableInput, now: number, last: number | null = null): RunInterval[] {
  const out: RunInterval[] = [];
  for (let iv = nextScheduledRun(t, last, now); iv && iv.runAfter <= now; iv = nextScheduledRun(t, iv.logicalDate, now)) out.push(iv);
  return out;
}

describe("cron interval mode (CronDataIntervalTimetable)", () => {
  it("the first run covers [startDate, next tick) and runs after it ends", () => {
    expect(show(nextScheduledRun(input(), null, at("2024-01-05T12:00Z")))).toEqual({
      logicalDate: "2024-01-01T00:00Z",
      start: "2024-01-01T00:00Z",
      end: "2024-01-02T00:00Z",
      runAfter: "2024-01-02T00:00Z",
    });
  });

  it("catchup=true creates one run per missed interval, in order, then a future one", () => {
    const now = at("2024-01-05T12:00Z");
    expect(runsDueBy(input(), now).map((r) => iso(r.logicalDate))).toEqual([
      "2024-01-01T00:00Z",
      "2024-01-02T00:00Z",
      "2024-01-03T00:00Z",
      "2024-01-04T00:00Z",
    ]);
    expect(show(nextScheduledRun(input(), at("2024-01-04T00:00Z"), now))?.runAfter).toBe("2024-01-06T00:00Z");
  });

  it("catchup=false runs only the latest complete interval when several were missed", () => {
    const t = input({ catchup: false });
    const now = at("2024-01-05T12:00Z");
    expect(show(nextScheduledRun(t, null, now))?.logicalDate).toBe("2024-01-04T00:00Z");
    expect(show(nextScheduledRun(t, at("2024-01-01T00:00Z"), now))?.logicalDate).toBe("2024-01-04T00:00Z");
    expect(show(nextScheduledRun(t, at("2024-01-04T00:00Z"), now))).toEqual({
      logicalDate: "2024-01-05T00:00Z",
      start: "2024-01-05T00:00Z",
      end: "2024-01-06T00:00Z",
      runAfter: "2024-01-06T00:00Z",
    });
  });

  it("Airflow's paused-DAG example: paused Jan 31 15:00, resumed Feb 2 15:00 → runs Feb 1–Feb 2 at once", () => {
    const t = input({ catchup: false });
    expect(show(nextScheduledRun(t, at("2024-01-30T00:00Z"), at("2024-02-02T15:00Z")))).toEqual({
      logicalDate: "2024-02-01T00:00Z",
      start: "2024-02-01T00:00Z",
      end: "2024-02-02T00:00Z",
      runAfter: "2024-02-02T00:00Z",
    });
  });

  it("an unaligned startDate starts at the next tick (*/30, start 00:10 → 00:30–01:00)", () => {
    const t = input({ schedule: { kind: "cron", expression: "*/30 * * * *", mode: "interval" }, startDate: at("2024-01-01T00:10Z") });
    expect(show(nextScheduledRun(t, null, at("2024-01-01T05:00Z")))).toMatchObject({ start: "2024-01-01T00:30Z", end: "2024-01-01T01:00Z" });
  });

  it("no run whose interval starts after endDate", () => {
    const t = input({ endDate: at("2024-01-03T12:00Z") });
    const now = at("2024-02-01T00:00Z");
    expect(runsDueBy(t, now).map((r) => iso(r.logicalDate))).toEqual(["2024-01-01T00:00Z", "2024-01-02T00:00Z", "2024-01-03T00:00Z"]);
    expect(nextScheduledRun(t, at("2024-01-03T00:00Z"), now)).toBeNull();
    expect(nextScheduledRun(input({ catchup: false, endDate: at("2024-01-03T00:00Z") }), at("2024-01-01T00:00Z"), now)).toBeNull();
  });

  it("a startDate in the future gives a run whose runAfter is in the future", () => {
    const t = input({ catchup: false, startDate: at("2024-03-01T00:00Z") });
    expect(show(nextScheduledRun(t, null, at("2024-01-05T00:00Z")))).toMatchObject({ logicalDate: "2024-03-01T00:00Z", runAfter: "2024-03-02T00:00Z" });
  });

  it("startDate null: no flood, the latest complete interval, whatever catchup says", () => {
    for (const catchup of [true, false]) {
      const t = input({ startDate: null, catchup });
      expect(show(nextScheduledRun(t, null, at("2024-06-10T08:00Z")))?.logicalDate).toBe("2024-06-09T00:00Z");
      expect(show(nextScheduledRun(t, at("2024-06-01T00:00Z"), at("2024-06-10T08:00Z")))?.logicalDate).toBe("2024-06-09T00:00Z");
    }
  });

  it("a last run before a moved-forward startDate resumes at startDate", () => {
    const t = input({ startDate: at("2024-03-01T00:00Z") });
    expect(show(nextScheduledRun(t, at("2024-01-10T00:00Z"), at("2024-03-10T00:00Z")))?.logicalDate).toBe("2024-03-01T00:00Z");
  });

  it("presets: @weekly and @monthly follow calendar units", () => {
    const weekly = input({ schedule: parseSchedule("@weekly"), startDate: at("2024-01-03T00:00Z") });
    expect(show(nextScheduledRun(weekly, null, at("2024-02-01T00:00Z")))).toMatchObject({ start: "2024-01-07T00:00Z", end: "2024-01-14T00:00Z" });
    const monthly = input({ schedule: parseSchedule("@monthly") });
    expect(runsDueBy(monthly, at("2024-04-15T00:00Z")).map((r) => `${iso(r.dataIntervalStart)}..${iso(r.dataIntervalEnd)}`)).toEqual([
      "2024-01-01T00:00Z..2024-02-01T00:00Z",
      "2024-02-01T00:00Z..2024-03-01T00:00Z",
      "2024-03-01T00:00Z..2024-04-01T00:00Z",
    ]);
  });

  it("a cron in the DAG's time zone: @daily in Asia/Tokyo ticks at 15:00 UTC", () => {
    const t = input({ timezone: "Asia/Tokyo", startDate: at("2024-01-01T00:00Z") });
    expect(show(nextScheduledRun(t, null, at("2024-01-05T00:00Z")))).toMatchObject({ start: "2024-01-01T15:00Z", end: "2024-01-02T15:00Z" });
  });
});

describe("cron trigger mode (CronTriggerTimetable)", () => {
  it("logicalDate = data interval start = end = runAfter = the tick", () => {
    expect(show(nextScheduledRun(input({ schedule: dailyTrigger }), null, at("2024-01-05T12:00Z")))).toEqual({
      logicalDate: "2024-01-01T00:00Z",
      start: "2024-01-01T00:00Z",
      end: "2024-01-01T00:00Z",
      runAfter: "2024-01-01T00:00Z",
    });
  });

  it("catchup=true runs every missed tick; catchup=false only the latest tick at or before now", () => {
    const now = at("2024-01-05T12:00Z");
    expect(runsDueBy(input({ schedule: dailyTrigger }), now)).toHaveLength(5);
    const t = input({ schedule: dailyTrigger, catchup: false });
    expect(show(nextScheduledRun(t, at("2024-01-01T00:00Z"), now))?.logicalDate).toBe("2024-01-05T00:00Z");
    expect(show(nextScheduledRun(t, at("2024-01-05T00:00Z"), now))?.runAfter).toBe("2024-01-06T00:00Z");
  });

  it("a tick exactly at now is due", () => {
    const t = input({ schedule: dailyTrigger, catchup: false });
    expect(show(nextScheduledRun(t, at("2024-01-01T00:00Z"), at("2024-01-05T00:00Z")))?.logicalDate).toBe("2024-01-05T00:00Z");
  });
});

describe("every (fixed interval)", () => {
  const every6h: ScheduleSpec = { kind: "every", everyMs: 6 * 3_600_000 };

  it("is anchored at startDate, not at clock boundaries", () => {
    const t = input({ schedule: every6h, startDate: at("2024-01-01T01:00Z") });
    expect(runsDueBy(t, at("2024-01-02T02:00Z")).map((r) => `${iso(r.dataIntervalStart)}..${iso(r.runAfter)}`)).toEqual([
      "2024-01-01T01:00Z..2024-01-01T07:00Z",
      "2024-01-01T07:00Z..2024-01-01T13:00Z",
      "2024-01-01T13:00Z..2024-01-01T19:00Z",
      "2024-01-01T19:00Z..2024-01-02T01:00Z",
    ]);
  });

  it("catchup=false keeps the startDate grid and runs the latest complete interval", () => {
    const t = input({ schedule: every6h, startDate: at("2024-01-01T01:00Z"), catchup: false });
    expect(show(nextScheduledRun(t, null, at("2024-01-03T10:00Z")))).toMatchObject({ start: "2024-01-03T01:00Z", end: "2024-01-03T07:00Z" });
  });

  it("startDate null anchors at the Unix epoch (1h → on the UTC hour)", () => {
    const t = input({ schedule: { kind: "every", everyMs: 3_600_000 }, startDate: null });
    expect(show(nextScheduledRun(t, null, at("2024-01-03T10:30Z")))).toMatchObject({ start: "2024-01-03T09:00Z", end: "2024-01-03T10:00Z" });
  });
});

describe("once and none", () => {
  it("once: one run at startDate, then none", () => {
    const t = input({ schedule: { kind: "once" } });
    expect(show(nextScheduledRun(t, null, at("2024-05-01T00:00Z")))).toEqual({
      logicalDate: "2024-01-01T00:00Z",
      start: "2024-01-01T00:00Z",
      end: "2024-01-01T00:00Z",
      runAfter: "2024-01-01T00:00Z",
    });
    expect(nextScheduledRun(t, at("2024-01-01T00:00Z"), at("2024-05-01T00:00Z"))).toBeNull();
  });

  it("once without startDate runs at now", () => {
    expect(nextScheduledRun(input({ schedule: { kind: "once" }, startDate: null }), null, at("2024-05-01T00:00Z"))?.logicalDate).toBe(at("2024-05-01T00:00Z"));
  });

  it("none never schedules", () => {
    expect(nextScheduledRun(input({ schedule: { kind: "none" } }), null, at("2024-05-01T00:00Z"))).toBeNull();
  });
});

describe("manualRunInterval", () => {
  it("interval mode: the interval containing `at`, logicalDate = runAfter = at", () => {
    expect(show(manualRunInterval(input(), at("2024-01-03T10:00Z")))).toEqual({
      logicalDate: "2024-01-03T10:00Z",
      start: "2024-01-03T00:00Z",
      end: "2024-01-04T00:00Z",
      runAfter: "2024-01-03T10:00Z",
    });
    expect(show(manualRunInterval(input(), at("2024-01-03T00:00Z")))).toMatchObject({ start: "2024-01-03T00:00Z", end: "2024-01-04T00:00Z" });
  });

  it("every: the startDate-anchored interval containing `at`", () => {
    const t = input({ schedule: { kind: "every", everyMs: 6 * 3_600_000 }, startDate: at("2024-01-01T01:00Z") });
    expect(show(manualRunInterval(t, at("2024-01-03T12:00Z")))).toMatchObject({ start: "2024-01-03T07:00Z", end: "2024-01-03T13:00Z" });
  });

  it("trigger mode, none and once: [at, at]", () => {
    for (const schedule of [dailyTrigger, { kind: "none" } as const, { kind: "once" } as const]) {
      expect(show(manualRunInterval(input({ schedule }), at("2024-01-03T10:00Z")))).toMatchObject({ start: "2024-01-03T10:00Z", end: "2024-01-03T10:00Z" });
    }
  });
});

describe("intervalsInRange", () => {
  it("logical dates in [from, to] inclusive, ignoring catchup and now", () => {
    const got = intervalsInRange(input({ catchup: false }), at("2024-02-01T00:00Z"), at("2024-02-03T00:00Z"));
    expect(got.map((r) => iso(r.logicalDate))).toEqual(["2024-02-01T00:00Z", "2024-02-02T00:00Z", "2024-02-03T00:00Z"]);
    expect(intervalsInRange(input(), at("2024-02-01T00:01Z"), at("2024-02-03T00:00Z"))).toHaveLength(2);
  });

  it("agrees with following nextScheduledRun with catchup", () => {
    const t = input({ schedule: { kind: "cron", expression: "15 */5 * * 1-5", mode: "interval" } });
    const viaNext = runsDueBy(t, at("2024-02-01T00:00Z")).filter((r) => r.logicalDate <= at("2024-01-31T00:00Z"));
    expect(intervalsInRange(t, at("2024-01-01T00:00Z"), at("2024-01-31T00:00Z"))).toEqual(viaNext);
  });

  it("trigger mode, every, once and none", () => {
    expect(
      intervalsInRange(input({ schedule: dailyTrigger }), at("2024-02-01T00:00Z"), at("2024-02-02T00:00Z")).map((r) => r.dataIntervalEnd - r.dataIntervalStart),
    ).toEqual([0, 0]);
    expect(
      intervalsInRange(
        input({ schedule: { kind: "every", everyMs: 3_600_000 }, startDate: at("2024-01-01T00:30Z") }),
        at("2024-01-01T00:00Z"),
        at("2024-01-01T03:00Z"),
      ),
    ).toHaveLength(3);
    expect(intervalsInRange(input({ schedule: { kind: "once" } }), at("2023-12-01T00:00Z"), at("2024-02-01T00:00Z"))).toHaveLength(1);
    expect(intervalsInRange(input({ schedule: { kind: "none" } }), 0, at("2030-01-01T00:00Z"))).toEqual([]);
  });

  it("refuses a range holding more than 100,000 intervals", () => {
    const t = input({ schedule: { kind: "every", everyMs: 1000 } });
    expect(() => intervalsInRange(t, at("2024-01-01T00:00Z"), at("2024-01-03T00:00Z"))).toThrow(InvalidInputError);
  });

  it("firstIntervalsInRange stops after max and says whether there are more", () => {
    const from = at("2024-02-01T00:00Z");
    expect(firstIntervalsInRange(input(), from, at("2024-02-03T00:00Z"), 3)).toMatchObject({ more: false, intervals: { length: 3 } });
    expect(firstIntervalsInRange(input(), from, at("2024-02-04T00:00Z"), 3)).toMatchObject({ more: true, intervals: { length: 3 } });
    expect(firstIntervalsInRange(input({ schedule: { kind: "every", everyMs: 1000 } }), 0, at("9999-01-01T00:00Z"), 10).intervals).toHaveLength(10);
  });
});
