import { describe, expect, it } from "vitest";
import { intervalsInRange, nextScheduledRun, type RunInterval, type TimetableInput } from "./timetable.js";

/** "YYYY-MM-DD HH:mm" on the wall clock of `timeZone`. */
function local(ms: number, timeZone: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(new Date(ms))
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}`;
}
const cron = (expression: string, timezone: string, startDate: string): TimetableInput => ({
  schedule: { kind: "cron", expression, mode: "interval" },
  startDate: Date.parse(startDate),
  endDate: null,
  timezone,
  catchup: true,
});
function follow(t: TimetableInput, count: number): RunInterval[] {
  const out: RunInterval[] = [];
  let last: number | null = null;
  for (let i = 0; i < count; i++) {
    const iv = nextScheduledRun(t, last, Date.parse("2030-01-01T00:00Z"));
    if (!iv) break;
    out.push(iv);
    last = iv.logicalDate;
  }
  return out;
}
/** Contiguous (end of one = start of next), strictly increasing, no duplicate. */
function expectContiguous(ivs: RunInterval[]): void {
  for (let i = 1; i < ivs.length; i++) {
    expect(ivs[i]!.dataIntervalStart).toBe(ivs[i - 1]!.dataIntervalEnd);
    expect(ivs[i]!.logicalDate).toBeGreaterThan(ivs[i - 1]!.logicalDate);
  }
}

describe("DST: daily 0 2 * * * (02:00 does not exist on spring-forward day)", () => {
  it("America/New_York spring forward: the run moves to 03:00 that day, nothing skipped", () => {
    const ivs = follow(cron("0 2 * * *", "America/New_York", "2024-03-08T05:00Z"), 5);
    expect(ivs.map((r) => local(r.logicalDate, "America/New_York"))).toEqual([
      "2024-03-08 02:00",
      "2024-03-09 02:00",
      "2024-03-10 03:00",
      "2024-03-11 02:00",
      "2024-03-12 02:00",
    ]);
    expectContiguous(ivs);
    expect((ivs[2]!.dataIntervalEnd - ivs[2]!.dataIntervalStart) / 3_600_000).toBe(23);
  });

  it("Europe/Paris spring forward (2024-03-31): 03:00 CEST = 01:00 UTC", () => {
    const ivs = follow(cron("0 2 * * *", "Europe/Paris", "2024-03-30T00:00Z"), 3);
    expect(ivs.map((r) => new Date(r.logicalDate).toISOString())).toEqual(["2024-03-30T01:00:00.000Z", "2024-03-31T01:00:00.000Z", "2024-04-01T00:00:00.000Z"]);
    expectContiguous(ivs);
  });

  it("a list of hours (0 2,14 * * *) keeps its 02:00 run too, at 03:00", () => {
    const ivs = follow(cron("0 2,14 * * *", "America/New_York", "2024-03-09T05:00Z"), 4);
    expect(ivs.map((r) => local(r.logicalDate, "America/New_York"))).toEqual(["2024-03-09 02:00", "2024-03-09 14:00", "2024-03-10 03:00", "2024-03-10 14:00"]);
  });

  it("fall back: a repeated local time (01:30 New York, 02:30 Paris) runs once", () => {
    const ny = follow(cron("30 1 * * *", "America/New_York", "2024-11-02T04:00Z"), 3);
    expect(ny.map((r) => local(r.logicalDate, "America/New_York"))).toEqual(["2024-11-02 01:30", "2024-11-03 01:30", "2024-11-04 01:30"]);
    expect((ny[1]!.dataIntervalEnd - ny[1]!.dataIntervalStart) / 3_600_000).toBe(25);
    const paris = follow(cron("30 2 * * *", "Europe/Paris", "2024-10-26T00:00Z"), 3);
    expect(paris.map((r) => local(r.logicalDate, "Europe/Paris"))).toEqual(["2024-10-26 02:30", "2024-10-27 02:30", "2024-10-28 02:30"]);
    expectContiguous(paris);
  });

  it("a whole year in New York: exactly one run per local day, contiguous", () => {
    const ivs = intervalsInRange(cron("0 2 * * *", "America/New_York", "2024-01-01T05:00Z"), Date.parse("2024-01-01T05:00Z"), Date.parse("2024-12-31T23:00Z"));
    expect(ivs).toHaveLength(366);
    expect(new Set(ivs.map((r) => local(r.logicalDate, "America/New_York").slice(0, 10))).size).toBe(366);
    expectContiguous(ivs);
  });
});

describe("DST: hourly 0 * * * * follows real hours", () => {
  it("spring forward: 23 one-hour intervals on 2024-03-10 in New York, 02:00 local never appears", () => {
    const ivs = intervalsInRange(cron("0 * * * *", "America/New_York", "2024-01-01T05:00Z"), Date.parse("2024-03-10T05:00Z"), Date.parse("2024-03-11T03:59Z"));
    expect(ivs).toHaveLength(23);
    expect(ivs.every((r) => r.dataIntervalEnd - r.dataIntervalStart === 3_600_000)).toBe(true);
    expect(ivs.map((r) => local(r.logicalDate, "America/New_York").slice(11))).not.toContain("02:00");
    expectContiguous(ivs);
  });

  it("fall back: 25 one-hour intervals on 2024-11-03, 01:00 local twice", () => {
    const ivs = intervalsInRange(cron("0 * * * *", "America/New_York", "2024-01-01T05:00Z"), Date.parse("2024-11-03T04:00Z"), Date.parse("2024-11-04T04:59Z"));
    expect(ivs).toHaveLength(25);
    expect(ivs.filter((r) => local(r.logicalDate, "America/New_York").endsWith("01:00"))).toHaveLength(2);
    expect(ivs.every((r) => r.dataIntervalEnd - r.dataIntervalStart === 3_600_000)).toBe(true);
    expectContiguous(ivs);
  });

  it("Europe/Paris, every 30 minutes through the fall-back hour: contiguous half hours, none lost", () => {
    const t = cron("*/30 * * * *", "Europe/Paris", "2024-10-26T22:00Z");
    const ivs = intervalsInRange(t, Date.parse("2024-10-26T22:00Z"), Date.parse("2024-10-27T03:30Z"));
    expect(ivs).toHaveLength(12);
    expect(ivs.every((r) => r.dataIntervalEnd - r.dataIntervalStart === 1_800_000)).toBe(true);
    expectContiguous(ivs);
  });

  it("a whole year of hourly intervals equals the hours in the year", () => {
    const ivs = intervalsInRange(cron("0 * * * *", "America/New_York", "2024-01-01T05:00Z"), Date.parse("2024-01-01T05:00Z"), Date.parse("2025-01-01T04:59Z"));
    expect(ivs).toHaveLength(366 * 24);
    expectContiguous(ivs);
  });
});
