import { describe, expect, it } from "vitest";
import { scheduleText } from "../../ui/src/lib/schedule-text.js";

// The DAG list's human schedule text (docs/ui.md#dag-list), from the schedule string the API returns.
describe("scheduleText", () => {
  it("says cron expressions in words, 24-hour, and that a bare time is every day", () => {
    expect(scheduleText("0 6 * * *")).toBe("At 06:00, every day");
    expect(scheduleText("*/15 * * * *")).toBe("Every 15 minutes");
    expect(scheduleText("0 9 * * 1-5")).toBe("At 09:00, Monday through Friday");
    expect(scheduleText("0 * * * *")).toBe("Every hour");
  });

  it("reads presets as their cron, and a trigger-mode cron without its suffix", () => {
    expect(scheduleText("@daily")).toBe("At 00:00, every day");
    expect(scheduleText("@hourly")).toBe("Every hour");
    expect(scheduleText("@weekly")).toBe("At 00:00, only on Sunday");
    expect(scheduleText("30 2 * * * (at tick)")).toBe("At 02:30, every day");
  });

  it("names the DAG's time zone unless it is UTC", () => {
    expect(scheduleText("0 6 * * *", "Europe/Zürich")).toBe("At 06:00, every day (Europe/Zürich)");
    expect(scheduleText("0 6 * * *", "UTC")).toBe("At 06:00, every day");
  });

  it("says fixed intervals, and nothing for manual, @once, datasets or a cron it cannot read", () => {
    expect(scheduleText("every 300s")).toBe("Every 5 minutes");
    expect(scheduleText("every 1s")).toBe("Every second");
    expect(scheduleText("every 86400s")).toBe("Every day");
    expect(scheduleText(null)).toBeNull();
    expect(scheduleText("@once")).toBeNull();
    expect(scheduleText("datasets: warehouse://sales")).toBeNull();
    expect(scheduleText("not a cron")).toBeNull();
  });
});
