import { describe, expect, it } from "vitest";
import { DagDefinitionError } from "../core/errors.js";
import { describeDeadline } from "../core/model/deadlines.js";
import { dag } from "./index.js";

const HERE = new URL(import.meta.url).pathname;

describe("deadline and expectedDuration options", () => {
  it("serializes each reference kind, a list, and a task's expectedDuration (also from defaults)", () => {
    const spec = dag(
      {
        id: "late",
        timezone: "Europe/Paris",
        deadline: [
          { reference: "logicalDate", interval: "2h" },
          { reference: "dataIntervalEnd", interval: "1h30m" },
          { reference: "queuedAt", interval: 60_000 },
          { reference: { fixed: "2027-01-01T06:00:00Z" }, interval: 0 },
          { reference: { fixed: "2027-01-01T06:00" }, interval: "10m" },
        ],
        defaults: { expectedDuration: "5m" },
      },
      (d) => {
        d.task("a", { expectedDuration: "10m" }, () => 1);
        d.task("b", () => 1);
        d.shell("c", { command: "true", expectedDuration: null });
      },
    ).toSpec();
    expect(spec.deadlines).toEqual([
      { reference: { kind: "logicalDate" }, intervalMs: 7_200_000 },
      { reference: { kind: "dataIntervalEnd" }, intervalMs: 5_400_000 },
      { reference: { kind: "queuedAt" }, intervalMs: 60_000 },
      { reference: { kind: "fixed", at: Date.parse("2027-01-01T06:00:00Z") }, intervalMs: 0 },
      // No offset: wall-clock time in the DAG's time zone (UTC+1 in January).
      { reference: { kind: "fixed", at: Date.parse("2027-01-01T05:00:00Z") }, intervalMs: 600_000 },
    ]);
    // null turns the default off for that task.
    expect(spec.tasks.map((t) => t.expectedDurationMs)).toEqual([600_000, 300_000, undefined]);
  });

  it("takes a negative interval (a deadline before its reference, as Airflow allows): text or ms", () => {
    const spec = dag(
      {
        id: "early",
        deadline: [
          { reference: { fixed: "2027-01-01T06:00:00Z" }, interval: "-1h" },
          { reference: "dataIntervalEnd", interval: -90_000 },
          { reference: "logicalDate", interval: " -1h30m" },
        ],
      },
      (d) => void d.task("a", () => 1),
    ).toSpec();
    expect(spec.deadlines!.map((x) => x.intervalMs)).toEqual([-3_600_000, -90_000, -5_400_000]);
    expect(spec.deadlines!.map(describeDeadline)).toEqual(["fixed 2027-01-01T06:00:00.000Z - 1h", "dataIntervalEnd - 1m30s", "logicalDate - 1h30m"]);
  });

  it("leaves specs without deadlines unchanged", () => {
    const spec = dag({ id: "plain" }, (d) => void d.task("a", () => 1)).toSpec();
    expect("deadlines" in spec).toBe(false);
    expect("expectedDurationMs" in spec.tasks[0]!).toBe(false);
  });

  it.each([
    [
      { reference: "startDate", interval: "1h" },
      /deadline.reference must be one of "logicalDate", "dataIntervalEnd", "queuedAt" or \{ fixed: "<ISO 8601 date-time>" \}; got "startDate"/,
    ],
    [{ reference: "logicalDate" }, /deadline.interval is required/],
    [{ reference: "logicalDate", interval: "soon" }, /deadline.interval "soon" is not a duration/],
    [{ reference: "logicalDate", interval: "--1h" }, /deadline.interval "-1h" is not a duration/],
    [{ reference: "logicalDate", interval: "1h", callback: 1 }, /unknown deadline key "callback"; valid deadline keys: reference, interval/],
    [{ reference: { fixed: "tomorrow" }, interval: "1h" }, /deadline.reference.fixed: "tomorrow" is not an ISO 8601 date/],
    [{ reference: { at: "2027-01-01" }, interval: "1h" }, /unknown deadline.reference key "at"; valid deadline.reference keys: fixed/],
    [[{ reference: "queuedAt", interval: "1h" }, "2h"], /deadline\[1\] must be an object like/],
  ])("rejects deadline %j with a DagDefinitionError at the dag() line", (deadline, message) => {
    const line = Number(new Error().stack!.split("\n")[1]!.match(/:(\d+):\d+\)?$/)![1]) + 1;
    const def = dag({ id: "bad", deadline } as never, () => {});
    const err = catchError(() => def.toSpec());
    expect(err).toBeInstanceOf(DagDefinitionError);
    expect(err.message).toMatch(message);
    expect(err.message).toContain('DAG "bad"');
    expect(err.file).toBe(HERE);
    expect(err.line).toBe(line);
  });

  it.each([
    [0, /expectedDuration must be greater than 0/],
    ["later", /expectedDuration "later" is not a duration/],
    [true, /expectedDuration must be a duration like "10m"/],
  ])("rejects expectedDuration %j at the task's line", (expectedDuration, message) => {
    let line = 0;
    const def = dag({ id: "bad" }, (d) => {
      line = Number(new Error().stack!.split("\n")[1]!.match(/:(\d+):\d+\)?$/)![1]) + 1;
      d.task("t", { expectedDuration } as never, () => 1);
    });
    const err = catchError(() => def.toSpec());
    expect(err.message).toMatch(message);
    expect(err.message).toContain('DAG "bad", task "t"');
    expect(err.line).toBe(line);
  });
});

function catchError(fn: () => unknown): DagDefinitionError {
  try {
    fn();
  } catch (e) {
    return e as DagDefinitionError;
  }
  throw new Error("did not throw");
}
