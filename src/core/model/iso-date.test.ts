import { describe, expect, it } from "vitest";
import { InvalidInputError } from "../errors.js";
import { parseIsoDate } from "./iso-date.js";

describe("parseIsoDate", () => {
  it("reads a bare date as midnight in the time zone", () => {
    expect(parseIsoDate("2025-03-07")).toBe(Date.UTC(2025, 2, 7));
    expect(parseIsoDate("2025-03-07", "Europe/Paris")).toBe(Date.UTC(2025, 2, 6, 23));
    expect(parseIsoDate("2025-07-01", "America/New_York")).toBe(Date.UTC(2025, 6, 1, 4));
    expect(parseIsoDate("2024-02-29")).toBe(Date.UTC(2024, 1, 29));
    expect(parseIsoDate("0099-01-01")).toBe(new Date("0099-01-01T00:00:00Z").getTime());
  });

  it("reads date-times with Z or an offset, with or without seconds and fractions", () => {
    expect(parseIsoDate("2025-03-07T06:30Z", "Asia/Tokyo")).toBe(Date.UTC(2025, 2, 7, 6, 30));
    expect(parseIsoDate("2025-03-07T06:30:15+02:00")).toBe(Date.UTC(2025, 2, 7, 4, 30, 15));
    expect(parseIsoDate("2025-03-07T06:30:15.5-05:30")).toBe(Date.UTC(2025, 2, 7, 12, 0, 15, 500));
    expect(parseIsoDate("2025-03-07T06:30:15.123456Z")).toBe(Date.UTC(2025, 2, 7, 6, 30, 15, 123));
  });

  it("reads a date-time without offset as wall-clock time in the time zone", () => {
    expect(parseIsoDate("2025-03-07T06:30", "UTC")).toBe(Date.UTC(2025, 2, 7, 6, 30));
    expect(parseIsoDate("2025-03-07T06:30:00", "Europe/Paris")).toBe(Date.UTC(2025, 2, 7, 5, 30));
    expect(parseIsoDate("2025-07-07T06:30:00", "Europe/Paris")).toBe(Date.UTC(2025, 6, 7, 4, 30));
  });

  it("moves a wall-clock time skipped by a DST change forward by the gap", () => {
    // Paris, 2025-03-30: 02:00 → 03:00. 02:30 does not exist; it is read as 03:30 CEST.
    expect(parseIsoDate("2025-03-30T02:30", "Europe/Paris")).toBe(Date.UTC(2025, 2, 30, 1, 30));
    expect(parseIsoDate("2025-03-09T02:30", "America/New_York")).toBe(Date.UTC(2025, 2, 9, 7, 30));
    // Santiago, 2025-09-07: midnight → 01:00, so the day starts at 01:00 -03:00.
    expect(parseIsoDate("2025-09-07", "America/Santiago")).toBe(Date.UTC(2025, 8, 7, 4));
  });

  it("reads a wall-clock time that happens twice (DST fall-back) as the first", () => {
    expect(parseIsoDate("2025-10-26T02:30", "Europe/Paris")).toBe(Date.UTC(2025, 9, 26, 0, 30));
    expect(parseIsoDate("2025-11-02T01:30", "America/New_York")).toBe(Date.UTC(2025, 10, 2, 5, 30));
  });

  it.each([
    ["123"],
    ["1"],
    ["0.5"],
    ["March 7"],
    ["2025-3-7"],
    ["20250307"],
    ["2025-03-07 06:30Z"],
    ["2025-03-07T06Z"],
    ["2025-03-07T06:30+0200"],
    ["2025-03-07T06:30:15.Z"],
    [" 2025-03-07"],
    ["2025-03-07\n"],
    ["Fri, 07 Mar 2025 06:30:00 GMT"],
    [""],
  ])("refuses %j: not ISO 8601", (text) => {
    expect(() => parseIsoDate(text)).toThrow(InvalidInputError);
    expect(() => parseIsoDate(text)).toThrow(/YYYY-MM-DD/);
  });

  it.each([
    ["2026-02-30", /2026-02 has 28 days/],
    ["2025-02-29", /2025-02 has 28 days/],
    ["2025-04-31", /2025-04 has 30 days/],
    ["2025-13-01", /month 13/],
    ["2025-00-10", /month 00/],
    ["2025-01-00", /day 00/],
    ["0000-01-01", /year 0000/],
    ["2025-01-01T25:00Z", /hour 25/],
    ["2025-01-01T24:00Z", /hour 24/],
    ["2025-01-01T10:60Z", /minute 60/],
    ["2025-01-01T10:00:60Z", /second 60/],
    ["2025-01-01T10:00+24:00", /offset/],
    ["2025-01-01T10:00+05:60", /offset/],
  ])("refuses the impossible %j", (text, reason) => {
    expect(() => parseIsoDate(text)).toThrow(InvalidInputError);
    expect(() => parseIsoDate(text)).toThrow(reason);
  });

  it("refuses an unknown time zone", () => {
    expect(() => parseIsoDate("2025-01-01", "Mars/Olympus")).toThrow(/time zone "Mars\/Olympus"/);
  });
});
