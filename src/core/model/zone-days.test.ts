import { describe, expect, it } from "vitest";
import { zoneDay, zoneDayStart, zoneOffsetMs, zoneOffsetSpans } from "./zone-days.js";

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe("zone days", () => {
  it("gives a zone's UTC offset, with DST, and UTC for an unknown zone", () => {
    expect(zoneOffsetMs(Date.UTC(2026, 0, 15), "America/New_York")).toBe(-5 * HOUR);
    expect(zoneOffsetMs(Date.UTC(2026, 6, 15), "America/New_York")).toBe(-4 * HOUR);
    expect(zoneOffsetMs(Date.UTC(2026, 6, 15, 12, 0, 0, 999), "Asia/Kolkata")).toBe(5.5 * HOUR);
    expect(zoneOffsetMs(Date.UTC(2026, 6, 15), "Not/A_Zone")).toBe(0);
  });

  it("numbers the local day an instant falls on, and finds each local day's first instant", () => {
    // 2026-03-02 03:00 UTC is still 1 March in New York (22:00, UTC-5).
    expect(new Date(zoneDay(Date.UTC(2026, 2, 2, 3), "America/New_York") * DAY).toISOString().slice(0, 10)).toBe("2026-03-01");
    expect(new Date(zoneDay(Date.UTC(2026, 2, 2, 3), "UTC") * DAY).toISOString().slice(0, 10)).toBe("2026-03-02");
    const day = Date.UTC(2026, 2, 8) / DAY; // the US DST change day
    expect(zoneDayStart(day, "America/New_York")).toBe(Date.UTC(2026, 2, 8, 5));
    expect(zoneDayStart(day + 1, "America/New_York")).toBe(Date.UTC(2026, 2, 9, 4));
    expect(zoneDayStart(day, "Asia/Tokyo")).toBe(Date.UTC(2026, 2, 7, 15));
  });

  it("splits a year into spans of one offset at each DST change, to the millisecond", () => {
    const spans = zoneOffsetSpans("Europe/Berlin", Date.UTC(2026, 0, 1), Date.UTC(2027, 0, 1));
    expect(spans).toEqual([
      { from: Date.UTC(2026, 0, 1), offsetMs: HOUR },
      { from: Date.UTC(2026, 2, 29, 1), offsetMs: 2 * HOUR },
      { from: Date.UTC(2026, 9, 25, 1), offsetMs: HOUR },
    ]);
    expect(zoneOffsetSpans("UTC", 0, 400 * DAY)).toEqual([{ from: 0, offsetMs: 0 }]);
  });
});
