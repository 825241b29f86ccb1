import { describe, expect, it } from "vitest";
import { describeDeadline, describeExpectedDuration, formatDuration, runDeadlineDueAt } from "./deadlines.js";

const HOUR = 3_600_000;
const run = { logicalDate: 10 * HOUR, dataIntervalEnd: 11 * HOUR, createdAt: 12 * HOUR };

describe("run deadlines", () => {
  it("count from the run's logical date, data interval end, creation, or a fixed instant", () => {
    expect(runDeadlineDueAt({ reference: { kind: "logicalDate" }, intervalMs: HOUR }, run)).toBe(11 * HOUR);
    expect(runDeadlineDueAt({ reference: { kind: "dataIntervalEnd" }, intervalMs: HOUR }, run)).toBe(12 * HOUR);
    expect(runDeadlineDueAt({ reference: { kind: "queuedAt" }, intervalMs: HOUR }, run)).toBe(13 * HOUR);
    expect(runDeadlineDueAt({ reference: { kind: "fixed", at: 5 * HOUR }, intervalMs: 0 }, run)).toBe(5 * HOUR);
  });

  it("a run without a data interval counts dataIntervalEnd from its logical date; without either, nothing is due", () => {
    expect(runDeadlineDueAt({ reference: { kind: "dataIntervalEnd" }, intervalMs: 0 }, { ...run, dataIntervalEnd: null })).toBe(10 * HOUR);
    expect(runDeadlineDueAt({ reference: { kind: "logicalDate" }, intervalMs: 0 }, { ...run, logicalDate: null })).toBeNull();
  });

  it("are described in words", () => {
    expect(describeDeadline({ reference: { kind: "logicalDate" }, intervalMs: 2 * HOUR })).toBe("logicalDate + 2h");
    expect(describeDeadline({ reference: { kind: "fixed", at: Date.parse("2027-01-01T06:00:00Z") }, intervalMs: 0 })).toBe(
      "fixed 2027-01-01T06:00:00.000Z + 0s",
    );
    expect(describeExpectedDuration(90 * 60_000)).toBe("expectedDuration 1h30m");
    expect(formatDuration(86_400_000 + 1_500)).toBe("1d1s500ms");
  });
});
